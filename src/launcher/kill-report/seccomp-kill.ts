/**
 * Which system call the seccomp filter killed the command for, told by the kernel's audit
 * record: from the audit multicast group (audit-netlink.ts), else from the kernel log
 * (kmsg.ts: no CAP_AUDIT_READ, the socket failed or overflowed), else an honest reason.
 * The supervisor starts a report before the command exists, so no record is missed.
 */
import { readFileSync } from 'node:fs';
import { listenToAudit, type AuditListener } from './audit-netlink.js';
import type { SeccompKillRecord } from './audit-record.js';
import { monotonicUsec, seccompKillRecord } from './kmsg.js';

/**
 * How long to wait for kauditd to multicast the record once the command is dead. The record is
 * queued before the task dies (kernel/seccomp.c seccomp_log, then do_exit), so it is usually
 * there at once; kauditd may lag behind a burst of other records.
 */
const NETLINK_WAIT_MS = 1000;

export interface SeccompKillReport {
  /** Keeps the audit records of `pid` (the command) from now on. */
  watch(pid: number): void;
  /** After the command died of SIGSYS: its record, or why there is none. */
  find(): { readonly record: SeccompKillRecord } | { readonly why: string };
  close(): void;
}

/** Starts listening; `log` gets one line on how (for --verbose). */
export function startSeccompKillReport(log: (step: string, detail: string) => void): SeccompKillReport {
  const sinceUsec = monotonicUsec() - 1_000_000n;
  let listener: AuditListener | string;
  try {
    // Without root, bind() fails with EPERM: skip loading libc for it (the supervisor of an
    // unprivileged run has no other use for it).
    listener = process.geteuid?.() === 0 ? listenToAudit() : 'not root, needs CAP_AUDIT_READ';
  } catch (e) {
    listener = (e as Error).message;
  }
  log('join audit multicast group', typeof listener === 'string' ? `${listener}; /dev/kmsg only` : 'ok');
  let pid: number | undefined;
  return {
    watch(p) {
      pid = p;
      if (typeof listener !== 'string') listener.watch(p);
    },
    find() {
      if (pid === undefined) return { why: 'the command never started' };
      const viaNetlink = typeof listener === 'string' ? undefined : listener.seccompRecord(NETLINK_WAIT_MS);
      if (viaNetlink) return { record: viaNetlink };
      // A healthy socket that got no record means kauditd sent none: the kernel log has none either.
      const healthy = typeof listener !== 'string' && listener.trouble === undefined;
      const viaKmsg = seccompKillRecord(pid, sinceUsec, healthy ? 0 : undefined);
      if (viaKmsg) return { record: viaKmsg };
      return { why: whyNone(listener) };
    },
    close() {
      if (typeof listener !== 'string') listener.close();
    },
  };
}

function whyNone(listener: AuditListener | string): string {
  if (!loggedKills()) return 'seccomp does not log kills (kernel.seccomp.actions_logged)';
  if (typeof listener === 'string') return `no audit record for it in /dev/kmsg, and the audit multicast group is out of reach (${listener})`;
  if (listener.trouble) return `its audit record was lost (${listener.trouble}) and is not in /dev/kmsg`;
  return 'the kernel sent no audit record for it';
}

function loggedKills(): boolean {
  try {
    return /\bkill_(?:process|thread)\b/.test(readFileSync('/proc/sys/kernel/seccomp/actions_logged', 'utf8'));
  } catch {
    return true;
  }
}
