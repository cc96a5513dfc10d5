/**
 * Parsing the seccomp audit record: netlink datagrams of the audit multicast group (captured
 * from this kernel: python3 bound to AUDIT_NLGRP_READLOG while two processes were killed on
 * getppid) and the record's text.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AUDIT_SECCOMP, parseNetlinkMessages, parseSeccompRecord, payloadText, seccompRecordIn } from '../../src/launcher/kill-report/audit-record.js';

/** pid 1921, comm "killme": comm quoted. */
const CAPTURED_QUOTED = Buffer.from(
  'cd0000002e0500000000000000000000617564697428313739353931353238332e3033353a323839323334293a20617569643d34323934393637323935207569643d30206769643d30207365733d34323934393637323935207069643d3139323120636f6d6d3d226b696c6c6d6522206578653d222f746d702f6b696c6c6d6522207369673d333120617263683d63303030303033652073797363616c6c3d31313020636f6d7061743d302069703d307837666137356632343338323920636f64653d30783830303030303030',
  'hex',
);
/** pid 1922, comm "kill me": a space, so the kernel writes comm and exe in hex. */
const CAPTURED_HEX = Buffer.from(
  'de0000002e0500000000000000000000617564697428313739353931353238332e3033353a323839323335293a20617569643d34323934393637323935207569643d30206769643d30207365733d34323934393637323935207069643d3139323220636f6d6d3d3642363936433643323036443635206578653d324637343644373032463642363936433643323036443635207369673d333120617263683d63303030303033652073797363616c6c3d31313020636f6d7061743d302069703d307837663130353237663038323920636f64653d30783830303030303030',
  'hex',
);

/** One netlink message: header in the given order, then `text`, padded to 4 bytes. */
function message(type: number, text: string, littleEndian = true, pad = true, extra = { flags: 0, seq: 0, pid: 0 }): Buffer {
  const body = Buffer.from(text);
  const len = 16 + body.length;
  const out = Buffer.alloc(pad ? (len + 3) & ~3 : len);
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  v.setUint32(0, len, littleEndian);
  v.setUint16(4, type, littleEndian);
  v.setUint16(6, extra.flags, littleEndian);
  v.setUint32(8, extra.seq, littleEndian);
  v.setUint32(12, extra.pid, littleEndian);
  body.copy(out, 16);
  return out;
}

const text = (pid: number, syscall: number, arch = 'c000003e') =>
  `audit(1795915283.035:1): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=${pid} comm="sh" exe="/bin/sh" sig=31 arch=${arch} syscall=${syscall} compat=0 ip=0x7f code=0x80000000`;

const datagrams: Array<[string, Uint8Array, boolean, Array<[type: number, length: number]>]> = [
  ['captured record', CAPTURED_QUOTED, true, [[AUDIT_SECCOMP, 205 - 16]]],
  ['captured record, hex comm', CAPTURED_HEX, true, [[AUDIT_SECCOMP, 222 - 16]]],
  ['empty datagram', new Uint8Array(0), true, []],
  ['two messages, the first padded to 4 bytes', Buffer.concat([message(1326, 'abcde'), message(1300, 'xyz')]), true, [[1326, 5], [1300, 3]]],
  ['big-endian header', message(1326, 'abc', false), false, [[1326, 3]]],
  ['header only', message(3, ''), true, [[3, 0]]],
  ['truncated: nlmsg_len beyond the datagram', CAPTURED_QUOTED.subarray(0, 100), true, []],
  ['a good message, then a short header', Buffer.concat([message(1326, 'abcd'), Buffer.alloc(8)]), true, [[1326, 4]]],
  ['nlmsg_len below the header size stops parsing', Buffer.concat([Buffer.from([8, 0, 0, 0]), Buffer.alloc(12), message(1326, 'x')]), true, []],
  ['the last message unpadded at the end', message(1326, 'abcde', true, false), true, [[1326, 5]]],
];

for (const [name, bytes, littleEndian, expected] of datagrams) {
  test(`parseNetlinkMessages: ${name}`, () => {
    const got = parseNetlinkMessages(bytes, littleEndian).map((m) => [m.type, m.payload.length]);
    assert.equal(got, expected);
  });
}

test('parseNetlinkMessages: header fields in host order', () => {
  const [m] = parseNetlinkMessages(message(1326, 'x', true, true, { flags: 0x102, seq: 0xdeadbeef, pid: 77 }), true);
  assert.equal({ type: m!.type, flags: m!.flags, seq: m!.seq, pid: m!.pid }, { type: 1326, flags: 0x102, seq: 0xdeadbeef, pid: 77 });
});

const lookups: Array<[string, Uint8Array, number, object | undefined]> = [
  ['captured, quoted comm', CAPTURED_QUOTED, 1921, { pid: 1921, syscall: 110, arch: 0xc000003e, comm: 'killme' }],
  ['captured, hex comm', CAPTURED_HEX, 1922, { pid: 1922, syscall: 110, arch: 0xc000003e, comm: 'kill me' }],
  ['another pid', CAPTURED_QUOTED, 1922, undefined],
  ['a prefix of the pid', CAPTURED_QUOTED, 192, undefined],
  ['not an AUDIT_SECCOMP message', message(1300, text(5, 41)), 5, undefined],
  ['the last of two records for the pid', Buffer.concat([message(1326, text(5, 41)), message(1326, text(6, 1)), message(1326, text(5, 42))]), 5, { pid: 5, syscall: 42, arch: 0xc000003e, comm: 'sh' }],
  ['a compat syscall keeps its arch', message(1326, text(9, 102, '40000003')), 9, { pid: 9, syscall: 102, arch: 0x40000003, comm: 'sh' }],
  ['a payload with trailing NULs', message(1326, text(7, 41) + '\0\0\0'), 7, { pid: 7, syscall: 41, arch: 0xc000003e, comm: 'sh' }],
];

for (const [name, bytes, pid, expected] of lookups) {
  test(`seccompRecordIn: ${name}`, () => {
    assert.equal(seccompRecordIn(parseNetlinkMessages(bytes, true), pid), expected);
  });
}

const texts: Array<[string, string, object | undefined]> = [
  ['ppid= is not pid=', 'ppid=5 pid=7 arch=c000003e syscall=1', { pid: 7, syscall: 1, arch: 0xc000003e }],
  ['auid=/uid= do not disturb', 'auid=1 uid=2 pid=3 arch=c00000b7 syscall=198', { pid: 3, syscall: 198, arch: 0xc00000b7 }],
  ['no syscall=', 'pid=3 arch=c000003e', undefined],
  ['no arch=', 'pid=3 syscall=1', undefined],
  ['a non-numeric pid', 'pid=x arch=c000003e syscall=1', undefined],
  ['a comm in odd-length hex is dropped', 'pid=3 comm=ABC arch=c000003e syscall=1', { pid: 3, syscall: 1, arch: 0xc000003e }],
];

for (const [name, line, expected] of texts) {
  test(`parseSeccompRecord: ${name}`, () => {
    assert.equal(parseSeccompRecord(line), expected);
  });
}

test('payloadText drops trailing NULs only', () => {
  assert.is(payloadText(Buffer.from('a\0b\0\0')), 'a\0b');
});

test.run();
