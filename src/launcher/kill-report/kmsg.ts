/**
 * Which system call a seccomp filter killed a process for, from the kernel log (the fallback
 * when the audit multicast group is out of reach, see audit-netlink.ts): with
 * SECCOMP_RET_KILL_* the kernel emits an audit record (kernel/seccomp.c seccomp_log ->
 * kernel/auditsc.c audit_seccomp) that, without auditd, kauditd prints to the kernel log:
 *   audit: type=1326 audit(...): ... pid=1234 comm="python3" ... sig=31 arch=c000003e syscall=41 ...
 * The pid is in the initial pid namespace, as the supervisor sees its child. The record is
 * printed asynchronously (by the kauditd thread), so the reader retries briefly. Reading
 * /dev/kmsg needs root (or kernel.dmesg_restrict=0); printk rate limits may drop records;
 * callers say so when nothing is found.
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { parseSeccompRecord, type SeccompKillRecord } from './audit-record.js';
import { sleepMs } from '../cgroups/cgroup-fs.js';

export type { SeccompKillRecord } from './audit-record.js';

/** The newest type=1326 record for `pid` among kmsg `records`, newer than `sinceUsec`. */
export function findSeccompRecord(records: readonly string[], pid: number, sinceUsec: bigint): SeccompKillRecord | undefined {
  let found: SeccompKillRecord | undefined;
  for (const rec of records) {
    const semi = rec.indexOf(';');
    if (semi < 0 || !rec.includes('type=1326')) continue;
    const usec = BigInt(rec.slice(0, semi).split(',')[2] ?? '0');
    if (usec < sinceUsec) continue;
    const record = parseSeccompRecord(rec.slice(semi + 1).trimEnd());
    if (record?.pid === pid) found = record;
  }
  return found;
}

/** Every record the kernel log holds now, read without blocking (needs root or kernel.dmesg_restrict=0). */
export function readKmsg(): string[] {
  const fd = openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK);
  const records: string[] = [];
  const buf = Buffer.alloc(8192);
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'EPIPE') continue; // The ring buffer overwrote the record we were at.
        if (code === 'EAGAIN') break;
        throw e;
      }
      if (n <= 0) break;
      records.push(buf.toString('utf8', 0, n));
    }
  } finally {
    closeSync(fd);
  }
  return records;
}

/** CLOCK_MONOTONIC in microseconds, the clock of kmsg timestamps. */
export function monotonicUsec(): bigint {
  return process.hrtime.bigint() / 1000n;
}

/** Looks for the record for `pid` for up to `waitMs`; undefined when there is none (or no access). */
export function seccompKillRecord(pid: number, sinceUsec: bigint, waitMs = 300): SeccompKillRecord | undefined {
  const deadline = Date.now() + waitMs;
  for (;;) {
    let records: string[];
    try {
      records = readKmsg();
    } catch {
      return undefined;
    }
    const found = findSeccompRecord(records, pid, sinceUsec);
    if (found || Date.now() >= deadline) return found;
    sleepMs(20);
  }
}
