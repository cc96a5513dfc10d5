/** Finding the seccomp audit record (type=1326) for a killed pid among /dev/kmsg records. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findSeccompRecord } from '../../src/launcher/kill-report/kmsg.js';

const rec = (usec: number, pid: number, syscall: number, arch = 'c000003e') =>
  `5,1234,${usec},-;audit: type=1326 audit(1795910291.391:2): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=${pid} comm="python3" exe="/usr/bin/python3.11" sig=31 arch=${arch} syscall=${syscall} compat=0 ip=0x7fec3c56fdc7 code=0x80000000\n`;

test('the newest record for the pid, after the start time', () => {
  const records = [rec(100, 42, 1), rec(200, 4200, 2), rec(300, 42, 41), 'x,1,1,-;unrelated\n'];
  assert.equal(findSeccompRecord(records, 42, 0n), { pid: 42, syscall: 41, arch: 0xc000003e, comm: 'python3' });
  assert.equal(findSeccompRecord(records, 42, 250n)?.syscall, 41);
  assert.is(findSeccompRecord(records, 42, 301n), undefined);
  assert.is(findSeccompRecord(records, 4, 0n), undefined, 'pid=4 must not match pid=42');
});

test('the audit arch is kept (a compat syscall names the arch it came from)', () => {
  assert.is(findSeccompRecord([rec(1, 7, 102, '40000003')], 7, 0n)?.arch, 0x40000003);
});

test.run();
