/**
 * The user-notification ABI without a kernel: the ioctl numbers as <linux/seccomp.h> computes
 * them (generic and powerpc encodings), struct seccomp_notif read field by field, and the
 * answer's layout: an errno negated and capped at MAX_ERRNO, CONTINUE as a flag with no error.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeNotification, encodeAnswer, NOTIF_RESP_SIZE, NOTIF_SIZE, seccompIoctl } from '../../src/launcher/seccomp/seccomp-notify.js';

const IOCTLS: ReadonlyArray<[string, 'w' | 'rw', number, number, string, number]> = [
  // name, direction, nr, size, process.arch, value (x86_64 values from a C program printing the macros)
  ['SECCOMP_IOCTL_NOTIF_RECV', 'rw', 0, NOTIF_SIZE, 'x64', 0xc0502100],
  ['SECCOMP_IOCTL_NOTIF_SEND', 'rw', 1, NOTIF_RESP_SIZE, 'x64', 0xc0182101],
  ['SECCOMP_IOCTL_NOTIF_SET_FLAGS', 'w', 4, 8, 'arm64', 0x40082104],
  ['SECCOMP_IOCTL_NOTIF_RECV on powerpc', 'rw', 0, NOTIF_SIZE, 'ppc64', 0xc0502100],
  ['SECCOMP_IOCTL_NOTIF_SET_FLAGS on powerpc', 'w', 4, 8, 'ppc64', 0x80082104],
];
for (const [name, dir, nr, size, arch, value] of IOCTLS) {
  test(`${name} = 0x${value.toString(16)}`, () => assert.is(seccompIoctl(dir, nr, size, arch), value));
}

const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

test('a struct seccomp_notif is read field by field, seccomp_data kept as bytes', () => {
  const buf = new Uint8Array(NOTIF_SIZE);
  const v = new DataView(buf.buffer);
  v.setBigUint64(0, 0x1122334455667788n, little);
  v.setUint32(8, 4242, little);
  v.setInt32(16, -1, little);
  v.setUint32(20, 0xc000003e, little);
  for (let i = 0; i < 6; i++) v.setBigUint64(32 + 8 * i, BigInt(i) << 40n | 7n, little);
  const n = decodeNotification(buf);
  assert.equal([n.id, n.pid, n.nr, n.arch], [0x1122334455667788n, 4242, -1, 0xc000003e]);
  assert.equal(n.args, [0, 1, 2, 3, 4, 5].map((i) => (BigInt(i) << 40n) | 7n));
  assert.equal([...n.data], [...buf.slice(16, 80)]);
});

const ANSWERS: ReadonlyArray<[string, Parameters<typeof encodeAnswer>[1], number, number]> = [
  // answer, error field, flags field
  ['errno 13', { kind: 'errno', errno: 13 }, -13, 0],
  ['errno 0: the call returns 0 unexecuted', { kind: 'errno', errno: 0 }, 0, 0],
  ['errno above MAX_ERRNO is capped as the kernel caps SECCOMP_RET_ERRNO', { kind: 'errno', errno: 0xffff }, -4095, 0],
  ['continue', { kind: 'continue' }, 0, 1],
];
for (const [name, answer, error, flags] of ANSWERS) {
  test(`answer: ${name}`, () => {
    const b = encodeAnswer(99n, answer);
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    assert.equal([b.length, v.getBigUint64(0, little), v.getBigInt64(8, little), v.getInt32(16, little), v.getUint32(20, little)], [NOTIF_RESP_SIZE, 99n, 0n, error, flags]);
  });
}

test.run();
