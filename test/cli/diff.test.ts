/**
 * `seccompile diff` in-process: two policy files differing in one boundary, a policy against a
 * .bpf, a filter against itself, and usage errors (exit codes 0 / 1 / 2).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/seccompile/seccompile.js';
import { memoryIO } from '../../src/cli/io.js';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-diff-test-'));
const write = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const policyText = (family: number, cmp = 'eq') => `import { policy, allow, errno, arg } from 'seccompile';
export default policy({
  default: errno('EPERM'),
  arch: 'x86_64',
  rules: [
    allow('read', 'write'),
    errno('EACCES').on('socket').when(arg(0).${cmp}(${family})),
    allow('socket'),
  ],
});
`;
const a = write('a.ts', policyText(2));
const b = write('b.ts', policyText(3));
const c = write('c.ts', policyText(3, 'le'));
const linear = fileURLToPath(new URL('../analysis/fixtures/libseccomp-linear.bpf', import.meta.url));
const tree = fileURLToPath(new URL('../analysis/fixtures/libseccomp-tree.bpf', import.meta.url));

async function run(...argv: string[]) {
  const io = memoryIO();
  const code = await main(['diff', ...argv], io);
  return { code, out: io.out(), err: io.err() };
}

test('policies differing in one constant: the argument values where they differ', async () => {
  const r = await run(a, b);
  assert.is(r.code, 1, r.err);
  const body = r.out.split('\n').slice(2).join('\n').replace(/exact: \d+ regions/, 'exact: N regions');
  assert.is(
    body,
    [
      'x86_64:',
      '  socket(arg0 = 2): A errno(EACCES), B allow',
      '  socket(arg0 = 3): A allow, B errno(EACCES)',
      '2 differences (exact: N regions cover every input)',
      '',
    ].join('\n'),
  );
  assert.match(r.out, /^A: .*a\.ts \(policy for x86_64; \d+ instructions, little-endian\)\nB: /);
});

test('eq(3) vs le(3): every value up to 3', async () => {
  const r = await run(b, c);
  assert.is(r.code, 1, r.err);
  assert.match(r.out, /socket\(arg0 in 0\.\.2\): A allow, B errno\(EACCES\)/);
});

test('same decisions: exit 0', async () => {
  const r = await run(a, a);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /same decisions \(exact: /);
  const t = await run(linear, tree);
  assert.is(t.code, 0);
  assert.match(t.out, /filter dispatching on x86_64, x86, x32/);
});

test('a policy against a libseccomp filter, --max', async () => {
  const r = await run(linear, a, '--max', '3');
  assert.is(r.code, 1);
  assert.match(r.out, /\.\.\. and \d+ more lines \(--max to see them\)/);
  assert.is(r.out.split('\n').filter((l) => l.startsWith('  ')).length, 3);
});

test('an OCI profile against a policy; decisions without argument conditions grouped', async () => {
  const profile = write(
    'profile.json',
    JSON.stringify({
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 1,
      architectures: ['SCMP_ARCH_X86_64'],
      syscalls: [
        { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
        { names: ['socket'], action: 'SCMP_ACT_ERRNO', errnoRet: 13, args: [{ index: 0, value: 2, op: 'SCMP_CMP_EQ' }] },
        { names: ['socket'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
        { names: ['getpid', 'gettid'], action: 'SCMP_ACT_ALLOW' },
      ],
    }),
  );
  const r = await run(profile, a, '--arch', 'x86_64');
  assert.is(r.code, 1, r.err);
  assert.match(r.out, /^A: .*profile\.json \(policy for x86_64;/);
  assert.match(r.out, /\n  socket\(arg0\.lo != 2\): A errno\(EPERM\), B allow\n  socket\(arg0\.hi in 1\.\.0xffffffff, arg0\.lo = 2\): A errno\(EPERM\), B allow\n/);
  assert.match(r.out, /\n  A allow, B errno\(EPERM\), for 2 syscalls or ranges:\n    getpid, gettid\n/);
});

test('a decision pair covering every x32 number is one line, not a list of names', async () => {
  const thread = write('thread.ts', policyText(2).replace("arch: 'x86_64',", "arch: 'x86_64', badArch: killThread(),").replace('arg }', 'arg, killThread }'));
  const r = await run(a, thread);
  assert.is(r.code, 1, r.err);
  assert.match(r.out, /\nx32:\n  every syscall \(nr 0x40000000\.\.0xffffffff\): A kill_process, B kill_thread\nother arches:\n  any syscall: A kill_process, B kill_thread\n/);
});

test('usage errors: exit 2; unreadable inputs: exit 1', async () => {
  assert.is((await run(a)).code, 2);
  assert.is((await run(a, b, '--max', '-1')).code, 2);
  const arch = await run(a, b, '--arch', 'x86_64,sparc');
  assert.is(arch.code, 2);
  assert.match(arch.err, /^seccompile diff: --arch: unknown arch 'sparc'; known: x86_64, .*\(see seccompile diff --help\)\n$/);
  const missing = await run(a, join(dir, 'nope.bpf'));
  assert.is(missing.code, 1);
  assert.match(missing.err, /cannot read .*nope\.bpf: no such file/);
  const help = await run('--help');
  assert.is(help.code, 0);
  assert.match(help.out, /^Usage: seccompile diff A B/);
});

test.run();
