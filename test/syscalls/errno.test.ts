import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ERRNO,
  ERRNO_TABLE,
  errnoByName,
  errnoMessage,
  errnoName,
  isErrnoName,
} from '../../src/syscalls/errno.js';

// include/uapi/asm-generic/errno-base.h, errno.h; arch/powerpc/include/uapi/asm/errno.h
const CASES: Array<[string, string | undefined, number | undefined]> = [
  ['EPERM', undefined, 1],
  ['ENOENT', undefined, 2],
  ['EAGAIN', undefined, 11],
  ['EWOULDBLOCK', undefined, 11],
  ['EACCES', undefined, 13],
  ['ENOSYS', undefined, 38],
  ['EDEADLK', undefined, 35],
  ['EDEADLOCK', undefined, 35],
  ['EDEADLOCK', 'x86_64', 35],
  ['EDEADLOCK', 'ppc64le', 58],
  ['EDEADLK', 'ppc64le', 35],
  ['EOPNOTSUPP', undefined, 95],
  ['ENOTSUP', undefined, 95],
  ['EAFNOSUPPORT', 'aarch64', 97],
  ['EHWPOISON', undefined, 133],
  ['EFOO', undefined, undefined],
  ['toString', undefined, undefined],
];
for (const [name, arch, n] of CASES) {
  test(`errnoByName(${name}, ${arch}) = ${n}`, () => {
    assert.is(errnoByName(name, arch as 'x86_64' | undefined), n);
    assert.is(isErrnoName(name), n !== undefined);
  });
}

const NAMES: Array<[number, string | undefined, string | undefined]> = [
  [1, undefined, 'EPERM'],
  [11, undefined, 'EAGAIN'],
  [35, undefined, 'EDEADLK'],
  [35, 'ppc64le', 'EDEADLK'],
  [58, undefined, undefined], // unused in asm-generic
  [58, 'ppc64le', 'EDEADLOCK'],
  [41, undefined, undefined],
  [95, undefined, 'EOPNOTSUPP'],
  [4096, undefined, undefined],
];
for (const [n, arch, name] of NAMES) {
  test(`errnoName(${n}, ${arch}) = ${name}`, () => {
    assert.is(errnoName(n, arch as 'x86_64' | undefined), name);
  });
}

test('table: unique canonical numbers, aliases point at real names, messages present', () => {
  const canonical = ERRNO_TABLE.filter((e) => !e.alias);
  assert.is(new Set(canonical.map((e) => e.errno)).size, canonical.length);
  assert.ok(canonical.length >= 131);
  for (const e of ERRNO_TABLE) {
    if (e.alias) assert.is(ERRNO[e.alias], e.errno);
    assert.ok(e.message.length > 0, e.name);
  }
  assert.is(ERRNO.EPERM, 1);
  assert.is(errnoMessage(1), 'Operation not permitted');
  assert.is(errnoMessage(58, 'ppc64le'), 'File locking deadlock error');
  assert.is(errnoMessage(58), undefined);
});

test.run();
