/**
 * The seccomp audit record of the command, from the audit multicast group: the supervisor joins
 * AUDIT_NLGRP_READLOG before the command starts and, after a SIGSYS, looks among the records it
 * received for the command's pid (audit-record.ts parses them).
 *
 * Why not only /dev/kmsg: kauditd (kernel/audit.c kauditd_thread) hands every record of its
 * queue to kauditd_send_multicast_skb first, whether or not auditd runs, and only then, without
 * auditd, to kauditd_printk_skb, which prints through printk_ratelimit() (10 per 5 s for the
 * whole machine): a few other seccomp kills at the same moment and the kernel log has lost
 * ours. The multicast has no rate limit; audit_log_start makes the killed task wait rather than
 * drop its record when the backlog is full. What can still lose a record here is our own
 * receive buffer: the socket gets every audit record of the machine while the command runs, so
 * the supervisor raises the buffer (SO_RCVBUFFORCE, root) and drains it every DRAIN_MS, keeping
 * only the command's records; an overflow shows as ENOBUFS, and the caller falls back to kmsg.
 *
 * Joining needs CAP_AUDIT_READ (audit_multicast_bind) and sees only the initial network
 * namespace's records, where the supervisor runs. When audit is enabled (audit=1, auditd),
 * joining and leaving are themselves logged (AUDIT_EVENT_LISTENER, type 1335).
 */
import { constants as osConstants, endianness } from 'node:os';
import { parseNetlinkMessages, seccompRecordIn, type SeccompKillRecord } from './audit-record.js';
import { sleepMs } from '../cgroups/cgroup-fs.js';
import { errno, libc } from '../ffi.js';
import { AF_NETLINK, NETLINK_AUDIT, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_RAW, SOL_SOCKET, SO_RCVBUFFORCE, errnoName } from '../linux.js';

/** enum audit_nlgrps in include/uapi/linux/audit.h */
export const AUDIT_NLGRP_READLOG = 1;
/** sizeof(struct sockaddr_nl): u16 nl_family, u16 nl_pad, u32 nl_pid, u32 nl_groups */
const SOCKADDR_NL_SIZE = 12;
/** Asked for with SO_RCVBUFFORCE (the kernel doubles it): ~3500 records of ~2.3 KiB truesize. */
const RCVBUF = 4 << 20;
const DRAIN_MS = 100;
/** Large enough for any audit record (MAX_AUDIT_MESSAGE_LENGTH is 8970). */
const RECV_BUF = 65536;

const { EAGAIN, EINTR, ENOBUFS } = osConstants.errno;
const littleEndian = endianness() === 'LE';

export interface AuditListener {
  /** Keeps the records of `pid` from now on, draining the socket every DRAIN_MS meanwhile. */
  watch(pid: number): void;
  /** The watched pid's seccomp record, waiting up to `waitMs` for kauditd to send it. */
  seccompRecord(waitMs: number): SeccompKillRecord | undefined;
  /** Why a record may have been missed (the buffer overflowed, recv failed), if it may have. */
  readonly trouble: string | undefined;
  close(): void;
}

/** Joins the audit multicast group; returns why not when it cannot ("bind: EPERM, needs CAP_AUDIT_READ"). */
export function listenToAudit(): AuditListener | string {
  const c = libc();
  const fd = c.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_AUDIT);
  if (fd < 0) return `socket: ${errnoName(errno())}`;
  const addr = Buffer.alloc(SOCKADDR_NL_SIZE);
  const dv = new DataView(addr.buffer, addr.byteOffset, addr.byteLength);
  dv.setUint16(0, AF_NETLINK, littleEndian);
  dv.setUint32(8, 1 << (AUDIT_NLGRP_READLOG - 1), littleEndian);
  if (c.bind(fd, addr, SOCKADDR_NL_SIZE) !== 0) {
    const e = errno();
    c.close(fd);
    return `bind: ${errnoName(e)}${e === osConstants.errno.EPERM ? ', needs CAP_AUDIT_READ' : ''}`;
  }
  const size = Buffer.alloc(4);
  new DataView(size.buffer, size.byteOffset, 4).setInt32(0, RCVBUF, littleEndian);
  // Without CAP_NET_ADMIN the default buffer stays (~200 KiB): fine unless the machine is busy.
  c.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, size, 4);
  return new NetlinkAuditListener(fd);
}

class NetlinkAuditListener implements AuditListener {
  private readonly buf = Buffer.alloc(RECV_BUF);
  private pid: number | undefined;
  private found: SeccompKillRecord | undefined;
  private timer: NodeJS.Timeout | undefined;
  private broken = false;
  trouble: string | undefined;

  constructor(private fd: number) {}

  watch(pid: number): void {
    this.pid = pid;
    this.timer = setInterval(() => this.drain(), DRAIN_MS);
    this.timer.unref();
  }

  /** Reads every datagram queued on the socket, keeping the watched pid's record. */
  private drain(): void {
    const c = libc();
    while (this.fd >= 0 && !this.broken) {
      const n = c.recv(this.fd, this.buf, RECV_BUF, 0);
      if (n < 0) {
        const e = errno();
        if (e === EINTR) continue;
        if (e === EAGAIN) return;
        if (e === ENOBUFS) {
          this.trouble ??= 'the audit socket overflowed';
          continue;
        }
        this.trouble ??= `recv from the audit socket: ${errnoName(e)}`;
        this.broken = true;
        return;
      }
      if (this.pid === undefined) continue;
      const record = seccompRecordIn(parseNetlinkMessages(this.buf.subarray(0, n), littleEndian), this.pid);
      if (record) this.found = record;
    }
  }

  seccompRecord(waitMs: number): SeccompKillRecord | undefined {
    const deadline = Date.now() + waitMs;
    for (;;) {
      this.drain();
      if (this.found || this.broken || this.fd < 0 || Date.now() >= deadline) return this.found;
      sleepMs(5);
    }
  }

  close(): void {
    clearInterval(this.timer);
    if (this.fd >= 0) libc().close(this.fd);
    this.fd = -1;
  }
}
