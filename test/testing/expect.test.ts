/**
 * The test API: simulate's results, the assertion helpers' passes and their messages (table:
 * check -> message), arch selection, and the inputs they accept (spec, IR, bytes, loaded filter).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expectPolicy, load, loadPolicy, PolicyAssertionError, simulate, SimulationError, type PolicyExpectation } from '../../src/testing/index.js';
import { allow, arg, errno, kill, policy, trap } from '../../src/dsl/index.js';
import { encodeFilter } from '../../src/compiler/index.js';

const p = policy({
  default: errno('EPERM'),
  arch: ['x86_64', 'aarch64'],
  rules: [
    allow('read', 'openat', 'open'),
    kill().on('ptrace'),
    errno('EACCES').on('socket').when(arg(0).int.eq(2)),
    allow('socket'),
    trap(7).on('uname'),
  ],
});

test('simulate: decisions in detail', () => {
  const s = simulate(p, { arch: 'x86_64', syscall: 'socket', args: [2] });
  assert.equal(
    { action: s.action, errno: s.errno, errnoName: s.errnoName, nr: s.nr, arch: s.arch, ret: s.ret },
    { action: 'errno', errno: 13, errnoName: 'EACCES', nr: 41, arch: 'x86_64', ret: 0x0005000d },
  );
  assert.ok(s.steps > 2);
  assert.is(simulate(p, { arch: 'aarch64', syscall: 'uname' }).data, 7);
  assert.is(simulate(p, { arch: 'arm64', syscall: 'read' }).action, 'allow'); // an alias
  assert.is(simulate(p, { arch: 'x86_64', syscall: 0 }).action, 'allow'); // raw nr 0 = read
  // negative numbers are two's complement: -1 is 2^64-1, not 2
  assert.is(simulate(p, { arch: 'x86_64', syscall: 'socket', args: [-1] }).action, 'allow');
  assert.is(simulate(p, { arch: 'x86', syscall: 'read' }).action, 'kill_process', 'an untargeted arch gets badArch');
});

test('simulate: mistakes are SimulationErrors', () => {
  assert.throws(() => simulate(p, { arch: 'x86_64', syscall: 'raed' }), (e: unknown) => e instanceof SimulationError && /unknown syscall 'raed' \(did you mean read/.test((e as Error).message));
  assert.throws(() => simulate(p, { arch: 'aarch64', syscall: 'open' }), /does not exist on aarch64/);
  assert.throws(() => simulate(p, { arch: 'vax', syscall: 'read' }), /unknown arch 'vax'/);
  assert.throws(() => simulate(p, { arch: 'x86_64', syscall: 'read', args: [2 ** 60] }), /not an exact integer/);
  assert.throws(() => simulate(p, { arch: 'x86_64', syscall: 'read', args: [0, 0, 0, 0, 0, 0, 0] }), /at most 6/);
});

test('passing checks chain', () => {
  expectPolicy(p).allows('read').denies('socket', [2]).with(errno('EACCES')).kills('ptrace').allows('socket', [10]);
  expectPolicy(p).denies('uname').with(trap(7)).denies('mount').with('errno(EPERM)').decides('socket', [2], { kind: 'errno', errno: 13 });
  expectPolicy(p).on('aarch64').allows('openat');
  expectPolicy(p, { arch: 'x86_64' }).allows('open');
  expectPolicy(p).allows('open'); // only where open exists (x86_64)
});

const FAILURES: readonly [string, (e: PolicyExpectation) => unknown, RegExp, string, string][] = [
  ['allows', (e) => e.allows('mount'), /^mount\(\) on x86_64: expected allow, got errno\(EPERM\)\n  \(nr 165, args \[0, 0, 0, 0, 0, 0\], ret 0x00050001, filter from policy\)$/, 'allow', 'errno(EPERM)'],
  ['denies', (e) => e.denies('socket', [10, 1]), /^socket\(10, 1\) on x86_64: expected deny \(errno, trap, kill\), got allow/, 'deny (errno, trap, kill)', 'allow'],
  ['with', (e) => e.denies('socket', [2]).with(errno('EPERM')), /^socket\(2\) on x86_64: expected errno\(EPERM\), got errno\(EACCES\)/, 'errno(EPERM)', 'errno(EACCES)'],
  ['kills', (e) => e.kills('read', [3]), /^read\(3\) on x86_64: expected kill, got allow/, 'kill', 'allow'],
  ['on aarch64', (e) => e.on('aarch64').kills('uname'), /^uname\(\) on aarch64: expected kill, got trap\(7\)/, 'kill', 'trap(7)'],
  ['big args', (e) => e.denies('read', [0xffffffffn << 8n]), /^read\(0xffffffff00\) on x86_64/, 'deny (errno, trap, kill)', 'allow'],
];

for (const [name, check, message, expected, actual] of FAILURES) {
  test(`failure message: ${name}`, () => {
    try {
      check(expectPolicy(p));
    } catch (e) {
      assert.instance(e, PolicyAssertionError);
      assert.instance(e, Error);
      const err = e as PolicyAssertionError;
      assert.match(err.message, message);
      assert.is(err.expected, expected);
      assert.is(err.actual, actual);
      assert.is(err.name, 'PolicyAssertionError');
      // The stack starts at the failing check in the test, not inside src/testing.
      const frames = err.stack!.split('\n').filter((l) => /^\s+at /.test(l));
      assert.match(frames[0]!, 'test/testing/expect.test.ts', err.stack);
      assert.not.ok(frames.some((f) => f.includes('src/testing/')), err.stack);
      return;
    }
    assert.unreachable('the check passed');
  });
}

test('a check on a syscall no checked arch has is an error, not a pass', () => {
  assert.throws(() => expectPolicy(p).on('aarch64').allows('open'), /does not exist on aarch64/);
  assert.throws(() => expectPolicy(policy({ default: allow(), arch: 'aarch64', rules: [] })).allows('open'), /exists on none of the arches checked \(aarch64\)/);
  // a name no arch has is a misspelling, with suggestions, not "absent from these arches"
  assert.throws(() => expectPolicy(policy({ default: allow(), arch: 'aarch64', rules: [] })).allows('conect' as 'connect'), /unknown syscall 'conect' \(did you mean connect\?\)/);
});

test('inputs: IR, bytes, loaded filters, files', async () => {
  const loaded = loadPolicy(p);
  expectPolicy(loaded.ir!).kills('ptrace');
  const bytes = encodeFilter({ program: loaded.program, endian: loaded.endian});
  expectPolicy(bytes).kills('ptrace').on('aarch64').kills('ptrace');
  assert.equal((await load(bytes)).arches, ['x86_64', 'aarch64']);
  expectPolicy(await load(p, { arch: 'aarch64' })).allows('read');
  await load('/nonexistent/x.bpf').then(
    () => assert.unreachable(),
    (e: Error) => assert.match(e.message, /cannot read \/nonexistent\/x\.bpf: no such file/),
  );
});

test('policy errors are reported with their diagnostics', () => {
  const bad = policy({ default: errno('EPERM'), arch: 'x86_64', rules: [allow('raed' as 'read')] });
  assert.throws(() => expectPolicy(bad), /the policy has errors\n.*unknown syscall 'raed'/);
});

test.run();
