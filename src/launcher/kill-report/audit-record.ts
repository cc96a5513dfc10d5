/**
 * The kernel's seccomp audit record (AUDIT_SECCOMP = 1326, include/uapi/linux/audit.h) in the
 * two forms jail reads it: as text in the kernel log (kmsg.ts) and as netlink messages of the
 * audit multicast group (audit-netlink.ts). Pure functions of strings and bytes.
 *
 * The text, written by kernel/auditsc.c audit_seccomp (audit_log_task, then sig, arch, syscall):
 *   audit(1795910291.391:2): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=1234 comm="python3"
 *     exe="/usr/bin/python3.11" sig=31 arch=c000003e syscall=41 compat=0 ip=0x7fec3c56fdc7 code=0x80000000
 * pid= is the thread group id in the initial pid namespace (task_tgid_nr), as the supervisor
 * sees its child; arch= is the AUDIT_ARCH_* in hex; comm= is quoted, or hex when it holds a
 * space, a quote or a control character (audit_log_untrustedstring).
 *
 * A netlink datagram holds messages, each a struct nlmsghdr (include/uapi/linux/netlink.h, host
 * byte order: u32 nlmsg_len including the header, u16 nlmsg_type, u16 nlmsg_flags, u32 nlmsg_seq,
 * u32 nlmsg_pid) and its payload, the next at NLMSG_ALIGN(nlmsg_len). For the audit multicast
 * group the type is the record type and the payload the record's text ("type=1326" is not in it),
 * with no NUL guaranteed at its end (kernel/audit.c kauditd_send_multicast_skb sets nlmsg_len to
 * the skb's length; the unicast to auditd keeps an older, non-standard length).
 */

export const AUDIT_SECCOMP = 1326;
export const NLMSG_HDRLEN = 16;
const NLMSG_ALIGNTO = 4;

export interface SeccompKillRecord {
  /** The killed process's thread group id in the initial pid namespace. */
  readonly pid: number;
  /** seccomp_data.nr */
  readonly syscall: number;
  /** AUDIT_ARCH_* value */
  readonly arch: number;
  readonly comm?: string;
}

export interface NetlinkMessage {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid: number;
  readonly payload: Uint8Array;
}

/** `value` of ` key=value` in a record's text, or undefined. */
function field(text: string, key: string): string | undefined {
  return new RegExp(`(?:^| )${key}=("[^"]*"|\\S+)`).exec(text)?.[1];
}

function decodeComm(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (raw.startsWith('"')) return raw.slice(1, -1);
  return /^(?:[0-9A-F]{2})+$/.test(raw) ? Buffer.from(raw, 'hex').toString('latin1') : undefined;
}

/** The fields of a seccomp record's text, or undefined when pid, syscall or arch is missing. */
export function parseSeccompRecord(text: string): SeccompKillRecord | undefined {
  const pid = field(text, 'pid');
  const syscall = field(text, 'syscall');
  const arch = field(text, 'arch');
  if (!pid || !/^\d+$/.test(pid) || !syscall || !/^\d+$/.test(syscall) || !arch || !/^[0-9a-f]{1,8}$/.test(arch)) return undefined;
  const comm = decodeComm(field(text, 'comm'));
  const record = { pid: Number(pid), syscall: Number(syscall), arch: parseInt(arch, 16) >>> 0 };
  return comm === undefined ? record : { ...record, comm };
}

/**
 * The messages of one netlink datagram, in order. Parsing stops at the first header that is
 * short or claims more bytes than are left (a datagram truncated by a small buffer).
 */
export function parseNetlinkMessages(bytes: Uint8Array, littleEndian: boolean): NetlinkMessage[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: NetlinkMessage[] = [];
  let at = 0;
  while (at + NLMSG_HDRLEN <= bytes.length) {
    const len = view.getUint32(at, littleEndian);
    if (len < NLMSG_HDRLEN || at + len > bytes.length) break;
    out.push({
      type: view.getUint16(at + 4, littleEndian),
      flags: view.getUint16(at + 6, littleEndian),
      seq: view.getUint32(at + 8, littleEndian),
      pid: view.getUint32(at + 12, littleEndian),
      payload: bytes.subarray(at + NLMSG_HDRLEN, at + len),
    });
    at += (len + NLMSG_ALIGNTO - 1) & ~(NLMSG_ALIGNTO - 1);
  }
  return out;
}

/** The payload as text, without trailing NULs. */
export function payloadText(payload: Uint8Array): string {
  let end = payload.length;
  while (end > 0 && payload[end - 1] === 0) end--;
  return Buffer.from(payload.buffer, payload.byteOffset, end).toString('utf8');
}

/** The last seccomp record for `pid` among netlink `messages`. */
export function seccompRecordIn(messages: readonly NetlinkMessage[], pid: number): SeccompKillRecord | undefined {
  let found: SeccompKillRecord | undefined;
  for (const m of messages) {
    if (m.type !== AUDIT_SECCOMP) continue;
    const rec = parseSeccompRecord(payloadText(m.payload));
    if (rec?.pid === pid) found = rec;
  }
  return found;
}
