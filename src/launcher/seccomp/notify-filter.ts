/**
 * Filters that hand calls to the supervisor (SECCOMP_RET_USER_NOTIF) instead of deciding them:
 * - learn: every call of every arch is notified (and let through by the worker);
 * - denials: the policy's filter with each `ret #ERRNO|e` replaced by `ret #USER_NOTIF`; the
 *   worker answers with the errno the original would have returned. Nothing else changes, so
 *   every allow, kill, trap and log stays the kernel's own decision.
 * Both are `struct sock_filter[]` in host byte order.
 */
import { endianness } from 'node:os';
import { BPF_CLASS, BPF_RVAL } from '../../bpf/isa.js';
import { SECCOMP_RET_ACTION_FULL, SECCOMP_RET_ERRNO, SECCOMP_RET_USER_NOTIF } from '../../seccomp/abi.js';
import { setupError } from '../launch-error.js';

const BPF_RET_K = BPF_CLASS.RET | BPF_RVAL.K;
const BPF_RET_A = BPF_CLASS.RET | BPF_RVAL.A;
const INSN = 8;

const little = endianness() === 'LE';

/** `ret #SECCOMP_RET_USER_NOTIF`, the whole learn filter. */
export function learnFilter(): Uint8Array {
  const out = new Uint8Array(INSN);
  const v = new DataView(out.buffer);
  v.setUint16(0, BPF_RET_K, little);
  v.setUint32(4, SECCOMP_RET_USER_NOTIF, little);
  return out;
}

/** The policy's filter with its errno returns turned into notifications, and how many there were. */
export function denialFilter(step: string, name: string, bytes: Uint8Array): { bytes: Uint8Array; errnoReturns: number } {
  const out = Uint8Array.from(bytes);
  const v = new DataView(out.buffer);
  let errnoReturns = 0;
  for (let off = 0; off + INSN <= out.length; off += INSN) {
    const code = v.getUint16(off, little);
    // A return of A could be an errno the rewrite cannot see.
    if (code === BPF_RET_A) throw setupError(step, `${name} returns a computed value (ret a): its denials cannot be reported`);
    if (code !== BPF_RET_K) continue;
    const k = v.getUint32(off + 4, little);
    if ((k & SECCOMP_RET_ACTION_FULL) >>> 0 !== SECCOMP_RET_ERRNO) continue;
    v.setUint32(off + 4, SECCOMP_RET_USER_NOTIF, little);
    errnoReturns++;
  }
  return { bytes: out, errnoReturns };
}
