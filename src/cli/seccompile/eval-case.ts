/**
 * The public JSON-lines contract of `seccompile eval` (documented in docs/bpf-toolkit.md, "eval"):
 *
 *   in:  {"arch":"x86_64","nr":41,"args":[2,1,0],"ip":0}      or "syscall":"socket" for nr
 *   out: {"action":"errno","errno":13,"ret":"0x0005000d","steps":9}
 *        {"action":"trap","data":5,"ret":"0x00030005","steps":4}
 *        {"error":"line 3: ..."}
 *
 * `arch`: one of our architecture names (or an alias archByName accepts) or a raw AUDIT_ARCH
 * number; `nr`: the raw seccomp_data.nr (x32 calls include 0x40000000), an integer from -2^31 to
 * 2^32-1; `args`: up to six, each a non-negative number (at most 2^53-1) or a decimal/0x string
 * up to 2^64-1, missing ones 0; `ip`: instruction_pointer, the same forms (default 0).
 * Unknown keys are errors: a misspelt key must not silently become 0.
 */
import type { Evaluation } from '../../seccomp/evaluate.js';
import type { SeccompData } from '../../seccomp/data.js';
import { archByName, archForAudit, isKnownSyscall, resolveSyscall, unknownArchMessage, unknownSyscallMessage } from '../../syscalls/index.js';

const U64_MAX = (1n << 64n) - 1n;
const KEYS = new Set(['arch', 'nr', 'syscall', 'args', 'ip']);

/** A parsed case, or why the line is not one. */
export type ParsedCase = { readonly ok: true; readonly data: SeccompData } | { readonly ok: false; readonly error: string };

/** Parses one input line (already known to be non-blank). */
export function parseEvalCase(line: string): ParsedCase {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    return fail(`not JSON: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('a case must be a JSON object');
  const obj = value as Record<string, unknown>;
  const unknown = Object.keys(obj).filter((k) => !KEYS.has(k));
  if (unknown.length) return fail(`unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} (known: arch, nr, syscall, args, ip)`);

  let arch: number;
  let archName: string | undefined;
  if (obj.arch === undefined) return fail('missing "arch" (an architecture name such as "x86_64", or an AUDIT_ARCH number)');
  if (typeof obj.arch === 'string' && !/^(0x|[0-9])/i.test(obj.arch)) {
    const a = archByName(obj.arch);
    if (!a) return fail(unknownArchMessage(obj.arch));
    arch = a.auditArch;
    archName = a.name;
  } else {
    const n = integer(obj.arch, 'arch', 0n, 0xffffffffn);
    if (typeof n === 'string') return fail(n);
    arch = Number(n);
  }

  let nr: number;
  if (obj.syscall !== undefined) {
    if (obj.nr !== undefined) return fail('give "nr" or "syscall", not both');
    if (typeof obj.syscall !== 'string') return fail('"syscall" must be a syscall name');
    const a = archName ? archByName(archName) : archForAudit(arch, 0);
    if (!a) return fail(`"syscall" needs a known arch; 0x${arch.toString(16)} is not one (give "nr")`);
    const resolved = resolveSyscall(a, obj.syscall);
    if (resolved === undefined) {
      return fail(isKnownSyscall(obj.syscall) ? `syscall '${obj.syscall}' does not exist on ${a.name}` : unknownSyscallMessage(obj.syscall));
    }
    nr = resolved;
  } else {
    if (obj.nr === undefined) return fail('missing "nr" (or "syscall")');
    const n = integer(obj.nr, 'nr', -(2n ** 31n), 0xffffffffn);
    if (typeof n === 'string') return fail(n);
    nr = Number(n);
  }

  const args: bigint[] = [];
  if (obj.args !== undefined) {
    if (!Array.isArray(obj.args)) return fail('"args" must be an array of up to six values');
    if (obj.args.length > 6) return fail(`"args" has ${obj.args.length} values, a system call has at most 6`);
    for (const [i, a] of obj.args.entries()) {
      const v = integer(a, `args[${i}]`, 0n, U64_MAX);
      if (typeof v === 'string') return fail(v);
      args.push(v);
    }
  }
  const ip = obj.ip === undefined ? 0n : integer(obj.ip, 'ip', 0n, U64_MAX);
  if (typeof ip === 'string') return fail(ip);
  return { ok: true, data: { nr, arch, instructionPointer: ip, args } };
}

const fail = (error: string): ParsedCase => ({ ok: false, error });

/** A number (safe integer) or a decimal/0x string within [min, max], or an error message. */
function integer(value: unknown, what: string, min: bigint, max: bigint): bigint | string {
  let v: bigint;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      return Number.isInteger(value)
        ? `${what}: ${value} is beyond 2^53-1, where JSON numbers lose precision; write it as a string ("0x...")`
        : `${what}: ${value} is not an integer`;
    }
    v = BigInt(value);
  } else if (typeof value === 'string') {
    if (!/^(0x[0-9a-f]+|-?[0-9]+)$/i.test(value)) return `${what}: "${value}" is not a decimal or 0x hex integer`;
    v = BigInt(value);
  } else {
    return `${what} must be a number or a decimal/0x string`;
  }
  if (v < min || v > max) {
    const hint = v < 0n && min === 0n ? ' (negative values: write the 64-bit two\'s complement, e.g. "0xffffffffffffffff")' : '';
    return `${what}: ${value} is out of range ${min}..0x${max.toString(16)}${hint}`;
  }
  return v;
}

/** One result line (without the newline), keys in the documented order. */
export function formatEvaluation(e: Evaluation): string {
  const ret = `"ret":"0x${e.ret.toString(16).padStart(8, '0')}","steps":${e.steps}`;
  const a = e.action;
  switch (a.kind) {
    case 'errno':
      return `{"action":"errno","errno":${a.errno},${ret}}`;
    case 'trap':
    case 'trace':
      return `{"action":"${a.kind}","data":${a.data},${ret}}`;
    default:
      return `{"action":"${a.kind}",${ret}}`;
  }
}

/** An error result line. */
export function formatCaseError(lineNumber: number, error: string): string {
  return JSON.stringify({ error: `line ${lineNumber}: ${error}` });
}
