/**
 * Resource limits (`--rlimit NAME=N`): parsed in the supervisor, applied by the init stage
 * with prlimit(0, ...) before it joins the cgroup. NAME is an RLIMIT_* name in lower case
 * without the prefix (nofile, nproc, core, as, ...); N is `SOFT`, `SOFT:HARD` or `unlimited`.
 * A single value sets both soft and hard limits, as `ulimit` and `docker --ulimit` do.
 */
import { endianness } from 'node:os';
import { errno, libc } from '../ffi.js';
import { syscallError } from '../launch-error.js';
import { RLIM_INFINITY, RLIMITS, type RlimitName } from '../linux.js';
import type { Rlimit } from '../spec.js';

export class RlimitSyntaxError extends Error {
  override readonly name = 'RlimitSyntaxError';
}

function parseValue(text: string, whole: string): bigint {
  if (text === 'unlimited' || text === 'infinity') return RLIM_INFINITY;
  if (!/^\d+$/.test(text)) throw new RlimitSyntaxError(`--rlimit ${whole}: "${text}" is not a number or "unlimited"`);
  const v = BigInt(text);
  if (v > RLIM_INFINITY) throw new RlimitSyntaxError(`--rlimit ${whole}: ${text} does not fit in 64 bits`);
  return v;
}

/** `nofile=1024`, `nofile=1024:4096`, `core=0`, `nproc=unlimited`. */
export function parseRlimit(text: string): Rlimit {
  const eq = text.indexOf('=');
  if (eq < 0) throw new RlimitSyntaxError(`--rlimit ${text}: expected NAME=N (e.g. nofile=1024)`);
  const name = text.slice(0, eq).toLowerCase().replace(/^rlimit_/, '');
  if (!Object.hasOwn(RLIMITS, name)) {
    throw new RlimitSyntaxError(`--rlimit ${text}: unknown resource "${name}" (known: ${Object.keys(RLIMITS).join(', ')})`);
  }
  const [softText, hardText, extra] = text.slice(eq + 1).split(':');
  if (extra !== undefined || softText === undefined) throw new RlimitSyntaxError(`--rlimit ${text}: expected N or SOFT:HARD`);
  const soft = parseValue(softText, text);
  const hard = hardText === undefined ? soft : parseValue(hardText, text);
  if (soft > hard) throw new RlimitSyntaxError(`--rlimit ${text}: soft limit above hard limit`);
  return { resource: RLIMITS[name as RlimitName], name, soft: soft.toString(), hard: hard.toString() };
}

/** setrlimit for the calling process (and what it execs). */
export function applyRlimit(step: string, limit: Rlimit): void {
  const buf = Buffer.alloc(16);
  // struct rlimit { rlim_t rlim_cur, rlim_max; } in host byte order.
  const le = endianness() === 'LE';
  for (const [i, v] of [BigInt(limit.soft), BigInt(limit.hard)].entries()) {
    if (le) buf.writeBigUInt64LE(v, 8 * i);
    else buf.writeBigUInt64BE(v, 8 * i);
  }
  if (libc().prlimit(0, limit.resource, buf, null) !== 0) {
    throw syscallError(`${step} ${limit.name}`, 'prlimit', errno(), 'raising a hard limit needs root');
  }
}
