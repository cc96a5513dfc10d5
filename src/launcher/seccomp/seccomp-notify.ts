/**
 * The seccomp user-notification ABI (<linux/seccomp.h>): receiving a notification from a
 * listener fd and answering it. Used by the notification worker (./notify-worker.ts), never
 * on jail's main thread: SECCOMP_IOCTL_NOTIF_RECV blocks.
 *
 *   struct seccomp_notif      { u64 id; u32 pid; u32 flags; struct seccomp_data data; }  80 bytes
 *   struct seccomp_data       { s32 nr; u32 arch; u64 instruction_pointer; u64 args[6]; } 64 bytes
 *   struct seccomp_notif_resp { u64 id; s64 val; s32 error; u32 flags; }                  24 bytes
 */
import { endianness } from 'node:os';
import { errno, libc } from '../ffi.js';

export const NOTIF_SIZE = 80;
export const NOTIF_RESP_SIZE = 24;
export const SECCOMP_DATA_OFFSET = 16;
export const SECCOMP_DATA_SIZE = 64;
export const SECCOMP_USER_NOTIF_FLAG_CONTINUE = 1;
/** SECCOMP_IOCTL_NOTIF_SET_FLAGS's one flag (Linux >= 6.6): wake the target on the answering CPU. */
const SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP = 1;

const POLLIN = 0x1;
const POLLHUP = 0x10;
const ENOENT = 2;
const EINTR = 4;

/**
 * _IOC(dir, '!', nr, size). The generic encoding (x86, arm, riscv, loongarch, s390x): 2 bits of
 * direction (write 1, read 2) at 30, 14 bits of size at 16; powerpc, mips and sparc use 3 bits of
 * direction (read 2, write 4) at 29 and 13 bits of size.
 */
export function seccompIoctl(dir: 'w' | 'rw', nr: number, size: number, arch: string = process.arch): number {
  const threeBit = arch.startsWith('ppc') || arch.startsWith('mips') || arch.startsWith('sparc');
  const [read, write, dirShift] = threeBit ? [2, 4, 29] : [2, 1, 30];
  const d = dir === 'w' ? write : read | write;
  return ((d << dirShift) | (size << 16) | (0x21 << 8) | nr) >>> 0;
}

const NOTIF_RECV = seccompIoctl('rw', 0, NOTIF_SIZE);
const NOTIF_SEND = seccompIoctl('rw', 1, NOTIF_RESP_SIZE);
const NOTIF_SET_FLAGS = seccompIoctl('w', 4, 8);

/** One notification: a syscall a task of the filter made, waiting for its answer. */
export interface Notification {
  readonly id: bigint;
  /** The thread's id in jail's pid namespace. */
  readonly pid: number;
  readonly nr: number;
  /** AUDIT_ARCH_* */
  readonly arch: number;
  readonly args: readonly bigint[];
  /** struct seccomp_data as the filter saw it (host byte order). */
  readonly data: Uint8Array;
}

export type Answer = { readonly kind: 'continue' } | { readonly kind: 'errno'; readonly errno: number };

const little = endianness() === 'LE';

/** Decodes a struct seccomp_notif. */
export function decodeNotification(buf: Uint8Array): Notification {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const args: bigint[] = [];
  for (let i = 0; i < 6; i++) args.push(v.getBigUint64(SECCOMP_DATA_OFFSET + 16 + 8 * i, little));
  return {
    id: v.getBigUint64(0, little),
    pid: v.getUint32(8, little),
    nr: v.getInt32(SECCOMP_DATA_OFFSET, little),
    arch: v.getUint32(SECCOMP_DATA_OFFSET + 4, little),
    args,
    data: buf.slice(SECCOMP_DATA_OFFSET, SECCOMP_DATA_OFFSET + SECCOMP_DATA_SIZE),
  };
}

/** Encodes a struct seccomp_notif_resp. An errno of 0 makes the call return 0 unexecuted, as SECCOMP_RET_ERRNO|0 does. */
export function encodeAnswer(id: bigint, answer: Answer, into: Buffer = Buffer.alloc(NOTIF_RESP_SIZE)): Buffer {
  into.fill(0);
  const v = new DataView(into.buffer, into.byteOffset, into.byteLength);
  v.setBigUint64(0, id, little);
  if (answer.kind === 'continue') v.setUint32(20, SECCOMP_USER_NOTIF_FLAG_CONTINUE, little);
  else v.setInt32(16, -Math.min(answer.errno, 4095), little);
  return into;
}

/** A listener fd, read and answered synchronously. */
export class NotifyListener {
  private readonly recvBuf = Buffer.alloc(NOTIF_SIZE);
  private readonly sendBuf = Buffer.alloc(NOTIF_RESP_SIZE);
  private readonly pollBuf = Buffer.alloc(8);

  constructor(readonly fd: number) {}

  /** Asks the kernel to wake a notified task on the CPU that answers it (fewer migrations); false where unsupported. */
  syncWakeUp(): boolean {
    const flags = Buffer.alloc(8);
    new DataView(flags.buffer, flags.byteOffset, 8).setBigUint64(0, BigInt(SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP), little);
    return libc().ioctl(this.fd, NOTIF_SET_FLAGS, flags) === 0;
  }

  /**
   * Waits up to `timeoutMs` for a notification: 'ready', 'idle' (timed out), or 'gone' (no task
   * uses the filter any more: the kernel reports POLLHUP once the last one has exited).
   */
  wait(timeoutMs: number): 'ready' | 'idle' | 'gone' {
    const v = new DataView(this.pollBuf.buffer, this.pollBuf.byteOffset, 8);
    v.setInt32(0, this.fd, little);
    v.setInt16(4, POLLIN, little);
    v.setInt16(6, 0, little);
    const n = libc().poll(this.pollBuf, 1, timeoutMs);
    if (n < 0) {
      if (errno() === EINTR) return 'idle';
      throw new Error(`poll on the seccomp listener: errno ${errno()}`);
    }
    if (n === 0) return 'idle';
    const revents = v.getInt16(6, little);
    if (revents & POLLIN) return 'ready';
    return revents & POLLHUP ? 'gone' : 'idle';
  }

  /**
   * The next notification, left in `raw` (a struct seccomp_notif, valid until the next call;
   * decodeNotification reads all of it); false when its task was killed meanwhile.
   */
  receiveRaw(): boolean {
    // The kernel refuses a buffer that is not zeroed.
    this.recvBuf.fill(0);
    if (libc().ioctl(this.fd, NOTIF_RECV, this.recvBuf) !== 0) {
      const e = errno();
      if (e === ENOENT || e === EINTR) return false;
      throw new Error(`SECCOMP_IOCTL_NOTIF_RECV: errno ${e}`);
    }
    return true;
  }

  /** The struct seccomp_notif `receiveRaw` filled. */
  get raw(): DataView {
    return this.rawView;
  }
  private readonly rawView = new DataView(this.recvBuf.buffer, this.recvBuf.byteOffset, NOTIF_SIZE);

  /** Answers; false when the task is gone (killed while it waited). */
  answer(id: bigint, answer: Answer): boolean {
    if (libc().ioctl(this.fd, NOTIF_SEND, encodeAnswer(id, answer, this.sendBuf)) === 0) return true;
    const e = errno();
    if (e === ENOENT) return false;
    throw new Error(`SECCOMP_IOCTL_NOTIF_SEND: errno ${e}`);
  }
}
