/**
 * Filters that hand calls to the supervisor (SECCOMP_RET_USER_NOTIF) instead of deciding them:
 * - learn: every call of every arch is notified (and let through by the worker);
 * - denials: the policy's filter with each `ret #ERRNO|e` replaced by `ret #USER_NOTIF`; the
 *   worker answers with the errno the original would have returned. Nothing else changes, so
 *   every allow, kill, trap and log stays the kernel's own decision.
 * Both are `struct sock_filter[]` in host byte order.
 */
import { endianness } from 'node:os';
import { decode, encode } from '../../bpf/encode.js';
import { BPF_CLASS, BPF_RVAL, insn } from '../../bpf/isa.js';
import { SECCOMP_RET_ACTION_FULL, SECCOMP_RET_ERRNO, SECCOMP_RET_USER_NOTIF } from '../../seccomp/abi.js';
import { setupError } from '../launch-error.js';

const BPF_RET_K = BPF_CLASS.RET | BPF_RVAL.K;
const BPF_RET_A = BPF_CLASS.RET | BPF_RVAL.A;

const order = endianness() === 'LE' ? 'little' : 'big';

/** `ret #SECCOMP_RET_USER_NOTIF`, the whole learn filter. */
export function learnFilter(): Uint8Array {
  return encode([insn(BPF_RET_K, SECCOMP_RET_USER_NOTIF)], order);
}

/** The policy's filter with its errno returns turned into notifications, and how many there were. */
export function denialFilter(step: string, name: string, bytes: Uint8Array): { bytes: Uint8Array; errnoReturns: number } {
  let errnoReturns = 0;
  const rewritten = decode(bytes, order).map((i) => {
    // A return of A could be an errno the rewrite cannot see.
    if (i.code === BPF_RET_A) throw setupError(step, `${name} returns a computed value (ret a): its denials cannot be reported`);
    if (i.code !== BPF_RET_K || (i.k & SECCOMP_RET_ACTION_FULL) >>> 0 !== SECCOMP_RET_ERRNO) return i;
    errnoReturns++;
    return insn(BPF_RET_K, SECCOMP_RET_USER_NOTIF);
  });
  return { bytes: encode(rewritten, order), errnoReturns };
}
