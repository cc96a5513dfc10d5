// The hand-written constants against the C headers of this machine (compiled with gcc), and
// the per-arch open flags against each other.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as C from '../../src/syscalls/constants.js';
import { ARCHES, hostArch } from '../../src/syscalls/index.js';

const { ARCH_O_FLAGS, CLONE_NEW_NAMESPACES, ...scalars } = C;
const PER_ARCH = Object.keys(ARCH_O_FLAGS.x86_64) as (keyof C.ArchOFlags)[];

test('every exported scalar constant is a u32', () => {
  for (const [name, v] of Object.entries(scalars)) {
    assert.type(v, 'number', name);
    assert.ok(Number.isInteger(v) && v >= 0 && v <= 0xffffffff, name);
  }
  assert.is(C.AF_LOCAL, C.AF_UNIX);
  assert.is(C.SOCK_NONBLOCK, C.O_NONBLOCK);
  assert.is(C.SOCK_CLOEXEC, C.O_CLOEXEC);
  assert.is(CLONE_NEW_NAMESPACES, 0x7e020080);
});

test('per-arch open flags: distinct bits, O_TMPFILE includes O_DIRECTORY, none collides with a shared flag', () => {
  const shared = C.O_CREAT | C.O_EXCL | C.O_NOCTTY | C.O_TRUNC | C.O_APPEND | C.O_NONBLOCK | C.O_DSYNC | C.O_NOATIME | C.O_CLOEXEC | C.O_SYNC | C.O_PATH;
  for (const [arch, f] of Object.entries(ARCH_O_FLAGS)) {
    const bits = [f.O_DIRECT, f.O_LARGEFILE, f.O_DIRECTORY, f.O_NOFOLLOW];
    assert.is(new Set(bits).size, 4, arch);
    for (const b of bits) assert.is(b & shared, 0, `${arch}: ${b.toString(8)}`);
    assert.is(f.O_TMPFILE, (0o20000000 | f.O_DIRECTORY) >>> 0, arch);
  }
  assert.is(ARCH_O_FLAGS.aarch64.O_DIRECTORY, 0o40000);
  assert.is(ARCH_O_FLAGS.ppc64le.O_LARGEFILE, 0o200000);
  assert.is(ARCH_O_FLAGS.x86_64.O_DIRECTORY, 0o200000);
});

test('clone flags argument: 1 on s390x only', () => {
  for (const a of Object.values(ARCHES)) assert.is(a.cloneFlagsArg, a.name === 's390x' ? 1 : 0, a.name);
});

const gcc = spawnSync('gcc', ['--version']);
if (gcc.status !== 0) {
  console.log('SKIP: constants vs C headers: gcc not available');
} else {
  test(`constants equal this machine's C headers (${hostArch().name})`, () => {
    // SOCK_TYPE_MASK is kernel-internal; glibc defines O_LARGEFILE as 0 on 64-bit hosts.
    const skip = new Set(['SOCK_TYPE_MASK', ...(hostArch().wordSize === 64 ? ['O_LARGEFILE'] : [])]);
    const names = [...Object.keys(scalars), ...PER_ARCH].filter((n) => !skip.has(n));
    const src = [
      '#define _GNU_SOURCE',
      '#include <stdio.h>',
      '#include <fcntl.h>',
      '#include <sched.h>',
      '#include <sys/mman.h>',
      '#include <sys/socket.h>',
      '#include <sys/ioctl.h>',
      '#include <sys/personality.h>',
      '#include <linux/sched.h>',
      'int main(void) {',
      ...names.map((n) =>
        // <sys/personality.h> declares the personas as enum members, which #ifdef cannot see.
        /^(PER_|UNAME26)/.test(n)
          ? `  printf("%s %llu\\n", "${n}", (unsigned long long)(${n}));`
          : `#ifdef ${n}\n  printf("%s %llu\\n", "${n}", (unsigned long long)(${n}));\n#else\n  printf("%s -\\n", "${n}");\n#endif`,
      ),
      '  return 0;',
      '}',
    ].join('\n');
    const dir = mkdtempSync(join(tmpdir(), 'seccompile-consts-'));
    try {
      writeFileSync(join(dir, 'c.c'), src);
      const cc = spawnSync('gcc', ['-o', join(dir, 'c'), join(dir, 'c.c')], { encoding: 'utf8' });
      assert.is(cc.status, 0, cc.stderr);
      const out = spawnSync(join(dir, 'c'), { encoding: 'utf8' }).stdout;
      const host = ARCH_O_FLAGS[hostArch().name];
      const ours: Record<string, number> = { ...scalars, ...host };
      const missing: string[] = [];
      for (const line of out.trim().split('\n')) {
        const [name, value] = line.split(' ');
        if (value === '-') missing.push(name!);
        else assert.is(ours[name!], Number(value), name);
      }
      // glibc's <sys/mman.h> leaves out the kernel's PROT_SEM; everything else must be there.
      assert.equal(missing, ['PROT_SEM']);
      assert.is(out.trim().split('\n').length, names.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
