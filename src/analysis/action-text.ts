/**
 * Actions as the short text `diff`, `verify` and the test API print and `seccompile test` reads:
 * allow, log, kill_process (or kill), kill_thread, user_notif (or notify), errno(EACCES) or
 * errno(13), trap(5), trace(1). Errno names resolve per arch (src/syscalls/errno.ts).
 */
import type { Action } from '../seccomp/abi.js';
import type { ArchName } from '../syscalls/arch.js';
import { errnoByName, errnoName } from '../syscalls/errno.js';

/** 'allow', 'errno(EACCES)', 'trap(5)', ... (errno by name when the number has one on `arch`). */
export function actionText(action: Action, arch?: ArchName): string {
  switch (action.kind) {
    case 'errno':
      return `errno(${errnoName(action.errno, arch) ?? action.errno})`;
    case 'trap':
    case 'trace':
      return `${action.kind}(${action.data})`;
    default:
      return action.kind;
  }
}

/** Parses an action's text, or returns an error message. */
export function parseActionText(text: string, arch?: ArchName): Action | string {
  const t = text.trim();
  const m = /^([a-z_]+)(?:\(\s*([A-Za-z0-9_]+)\s*\))?$/.exec(t);
  if (!m) return `'${text}' is not an action (allow, errno(EPERM), kill_process, trap(N), ...)`;
  const [, kind, operand] = m;
  const plain = (a: Action): Action | string => (operand === undefined ? a : `${kind} takes no operand`);
  switch (kind) {
    case 'allow':
      return plain({ kind: 'allow' });
    case 'log':
      return plain({ kind: 'log' });
    case 'kill':
    case 'kill_process':
      return plain({ kind: 'kill_process' });
    case 'kill_thread':
      return plain({ kind: 'kill_thread' });
    case 'notify':
    case 'user_notif':
      return plain({ kind: 'user_notif' });
    case 'errno': {
      if (operand === undefined) return 'errno needs a value: errno(EPERM) or errno(1)';
      const n = /^\d+$/.test(operand) ? Number(operand) : errnoByName(operand, arch);
      if (n === undefined) return `unknown errno '${operand}'`;
      if (n > 0xffff) return `errno ${n} is out of range`;
      return { kind: 'errno', errno: n };
    }
    case 'trap':
    case 'trace': {
      const n = operand === undefined ? 0 : /^\d+$/.test(operand) ? Number(operand) : NaN;
      if (!(n >= 0 && n <= 0xffff)) return `${kind} data must be a number 0..65535`;
      return { kind, data: n };
    }
    default:
      return `unknown action '${kind}' (allow, log, errno(...), trap(...), trace(...), kill_process, kill_thread, user_notif)`;
  }
}
