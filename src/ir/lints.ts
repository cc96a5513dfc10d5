/**
 * Bypass lints: policies that restrict a syscall while leaving open another way to do the same
 * thing, found on the lowered IR (so per arch, after multiplexer expansion and rule order) and
 * reported as warnings with stable codes through the normalize diagnostics:
 *  - open-bypass, exec-bypass: `openat` restricted while `open` (or `creat`, `openat2`) is
 *    always allowed, or the reverse; `execve` vs `execveat`;
 *  - clone3-bypass: `clone` restricted (namespace flags) while `clone3` is allowed: clone3's
 *    flags sit in a struct seccomp cannot read, so it must be errno(ENOSYS)'d;
 *  - io-uring-bypass: io_uring_setup allowed while a file or socket call io_uring can perform
 *    (IORING_OP_OPENAT, _SOCKET, _CONNECT, ...) is refused: its operations never pass seccomp;
 *  - multiplexer-bypass: a socket (ipc) call restricted while socketcall (ipc) lets that sub-call
 *    through on x86, s390x or ppc64le (an earlier rule on the multiplexer decided it);
 *  - pointer-condition: a condition on a pointer argument (./pointer-args.ts), which compares an
 *    address the caller chooses, not what it points to.
 * A restriction by errno(ENOSYS) alone does not count: it makes the call look absent so callers
 * fall back (to calls the policy can check), which is what these lints recommend.
 */
import type { Action } from '../seccomp/abi.js';
import { errnoByName } from '../syscalls/errno.js';
import { ARCHES } from '../syscalls/index.js';
import type { CheckedRule } from './check-spec.js';
import type { DiagnosticCode, DiagnosticSink } from './diagnostics.js';
import { POINTER_ARGS } from './pointer-args.js';
import { decideRules } from './semantics.js';
import type { ArchSection, PolicyIR, Rule } from './types.js';

/** A syscall on one arch: its rules and every action some call of it can get. */
interface Status {
  readonly rules: readonly Rule[];
  readonly actions: readonly Action[];
}

const byNr = new WeakMap<ArchSection, ReadonlyMap<number, readonly Rule[]>>();

function status(section: ArchSection, name: string): Status | undefined {
  const nr = ARCHES[section.arch].syscalls.get(name);
  if (nr === undefined) return undefined;
  let index = byNr.get(section);
  if (!index) byNr.set(section, (index = new Map(section.syscalls.map((s) => [s.nr, s.rules]))));
  const rules = index.get(nr) ?? [];
  const actions: Action[] = [];
  for (const r of rules) {
    actions.push(r.action);
    if (r.conditions.length === 0) return { rules, actions };
  }
  actions.push(section.defaultAction);
  return { rules, actions };
}

const isAllow = (a: Action): boolean => a.kind === 'allow' || a.kind === 'log';

/** Some call of it is refused, other than by errno(ENOSYS). */
function refuses(s: Status, section: ArchSection): boolean {
  const enosys = errnoByName('ENOSYS', section.arch);
  return s.actions.some((a) => !isAllow(a) && !(a.kind === 'errno' && a.errno === enosys));
}

/** The rule restricting a syscall the policy names, if it has one: conditions, or a refusal. */
function restriction(s: Status | undefined, section: ArchSection): Rule | undefined {
  if (!s || s.rules.length === 0 || !refuses(s, section)) return undefined;
  return s.rules.find((r) => r.conditions.length > 0 || !isAllow(r.action));
}

/** Syscalls io_uring can stand in for (io_uring/opdef.c), when a policy refuses them. */
const IO_URING_OPS = [
  'open', 'openat', 'openat2', 'socket', 'connect', 'accept', 'accept4', 'bind', 'listen', 'sendmsg', 'recvmsg',
  'sendto', 'recvfrom', 'shutdown', 'statx', 'renameat', 'renameat2', 'unlinkat', 'mkdirat', 'symlinkat', 'linkat',
  'setxattr', 'fsetxattr', 'getxattr', 'fgetxattr', 'ftruncate', 'read', 'write', 'readv', 'writev', 'close',
  'splice', 'tee', 'fsync', 'fadvise64', 'madvise', 'waitid',
] as const;

/** Families of equivalent calls: restricting one of `restricted` while one of `others` is always allowed. */
const FAMILIES: readonly { code: DiagnosticCode; restricted: readonly string[]; others: readonly string[] }[] = [
  { code: 'open-bypass', restricted: ['open', 'openat', 'openat2', 'creat'], others: ['open', 'openat', 'openat2', 'creat'] },
  { code: 'exec-bypass', restricted: ['execve', 'execveat'], others: ['execve', 'execveat'] },
  { code: 'clone3-bypass', restricted: ['clone'], others: ['clone3'] },
];

interface Finding {
  readonly code: DiagnosticCode;
  readonly rule: number;
  readonly text: (arches: string) => string;
  readonly arches: Set<string>;
}

/** Reports the bypass lints of a lowered policy as warnings. */
export function lintPolicy(ir: PolicyIR, rules: readonly CheckedRule[], sink: DiagnosticSink): void {
  const findings = new Map<string, Finding>();
  const note = (code: DiagnosticCode, rule: Rule, key: string, arch: string, text: (arches: string) => string) => {
    const k = `${code}/${rule.origin.index}/${key}`;
    const f = findings.get(k) ?? { code, rule: rule.origin.index, text, arches: new Set<string>() };
    f.arches.add(arch);
    findings.set(k, f);
  };
  for (const section of ir.sections) {
    const arch = section.arch;
    for (const fam of FAMILIES) {
      for (const name of fam.restricted) {
        const rule = restriction(status(section, name), section);
        if (!rule) continue;
        for (const other of fam.others) {
          const s = other === name ? undefined : status(section, other);
          if (!s || !s.actions.every(isAllow)) continue;
          note(fam.code, rule, `${name}/${other}`, arch, (on) =>
            `${name} is restricted by ${rule.origin.path} but ${other} is always allowed (on ${on}): a program can call ${other} instead. ` +
              `Give ${other} the same rule, or refuse it (errno('ENOSYS') makes callers fall back to ${name})`);
        }
      }
    }
    const uring = status(section, 'io_uring_setup');
    if (uring && uring.actions.some(isAllow)) {
      const refused = IO_URING_OPS.filter((n) => {
        const s = status(section, n);
        return s !== undefined && refuses(s, section);
      });
      const rule = uring.rules.find((r) => isAllow(r.action));
      if (refused.length > 0) {
        const list = refused.slice(0, 4).join(', ') + (refused.length > 4 ? ', ...' : '');
        const by = rule ? `${rule.origin.path} allows io_uring_setup` : 'io_uring_setup is allowed by the default';
        const origin: Rule = rule ?? { conditions: [], action: section.defaultAction, origin: { index: -1, path: 'default' } };
        note('io-uring-bypass', origin, 'io_uring', arch, (on) =>
          `${by} on ${on} while the policy refuses ${list}: io_uring performs those operations without the syscalls, ` +
            `out of seccomp's sight. Refuse io_uring_setup with errno('ENOSYS') (programs fall back to plain syscalls)`);
      }
    }
    for (const mux of ARCHES[arch].multiplexers) {
      const entry = status(section, mux.syscall);
      if (!entry) continue;
      for (const [name, sub] of Object.entries(mux.calls)) {
        const rule = restriction(status(section, name), section);
        if (!rule) continue;
        const via = decideRules(entry.rules, section.defaultAction, [BigInt(sub)]);
        if (!isAllow(via)) continue;
        note('multiplexer-bypass', rule, `${mux.syscall}/${name}`, arch, (on) =>
          `${name} is restricted by ${rule.origin.path} but ${mux.syscall} sub-call ${sub} (${name}) is allowed (on ${on}): ` +
            `a program can call ${name} through ${mux.syscall}. Decide it there first, e.g. ` +
            `errno('EPERM').on('${mux.syscall}').when(arg(0).int.eq(${sub})) before any rule allowing ${mux.syscall}`);
      }
    }
  }
  const byIndex = new Map(rules.map((r) => [r.index, r]));
  for (const f of [...findings.values()].sort((a, b) => a.rule - b.rule || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))) {
    const r = byIndex.get(f.rule);
    sink.warning(f.code, r?.path ?? 'default', f.text([...f.arches].join(', ')), r?.location);
  }
  lintPointerConditions(rules, sink);
}

function lintPointerConditions(rules: readonly CheckedRule[], sink: DiagnosticSink): void {
  for (const rule of rules) {
    rule.conditions.forEach((c, k) => {
      const names = rule.syscalls.map((s) => s.name).filter((n) => POINTER_ARGS[n as keyof typeof POINTER_ARGS]?.includes(c.arg));
      if (names.length === 0) return;
      sink.warning(
        'pointer-condition',
        `${rule.path}.conditions[${k}]`,
        `argument ${c.arg} of ${names.join(', ')} is a pointer: seccomp sees only the address, never what it points to, ` +
          `so this condition restricts nothing a caller cannot choose. Restrict the call as a whole, or check its contents elsewhere (Landlock, a user-notify supervisor)`,
        rule.location,
      );
    });
  }
}
