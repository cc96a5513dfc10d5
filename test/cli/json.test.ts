/**
 * `--json` on verify, diff, test and syscalls, in-process: one line of stdout holding one object
 * of the documented type (src/cli/seccompile/json-output.ts), the same exit codes as the text output, and
 * errors still one text line on stderr.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/seccompile/seccompile.js';
import { memoryIO } from '../../src/cli/io.js';
import type { DiffJson, SyscallsJson, TestJson, VerifyJson } from '../../src/cli/seccompile/json-output.js';
import { encodeFilter } from '../../src/compiler/index.js';
import { validate } from '../../src/bpf/validate.js';
import { loadPolicy } from '../../src/testing/load.js';
import { allow, arg, errno, policy } from '../../src/dsl/index.js';
import { ARCH_NAMES, ARCHES } from '../../src/syscalls/index.js';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-json-'));
const write = (name: string, data: string | Uint8Array): string => {
  writeFileSync(join(dir, name), data);
  return join(dir, name);
};
const RULES = `[allow('read', 'write'), errno('EACCES').on('socket').when(arg(0).int.eq(2)), allow('socket')]`;
const policyFile = write('p.ts', `import { policy, allow, errno, arg } from 'seccompile';
export default policy({ default: errno('EPERM'), arch: ['x86_64', 'x32'], rules: ${RULES} });
`);
const looser = write('q.ts', `import { policy, allow, errno } from 'seccompile';
export default policy({ default: errno('EPERM'), arch: ['x86_64'], rules: [allow('read', 'write', 'socket')] });
`);
const cases = write('cases.jsonl', [
  '{"syscall":"read","expect":"allow"}',
  '{"syscall":"socket","args":[2],"expect":"allow","arch":"x86_64"}',
  '{"syscall":"read"}',
].join('\n'));
// The policy's filter with socket's argument check comparing 7 instead of 2.
const broken = (() => {
  const loaded = loadPolicy(policy({ default: errno('EPERM'), arch: ['x86_64', 'x32'], rules: [allow('read', 'write'), errno('EACCES').on('socket').when(arg(0).int.eq(2)), allow('socket')] }));
  const insns = [...loaded.program];
  const at = insns.findIndex((i) => i.code === 0x15 && i.k === 2);
  insns[at] = { ...insns[at]!, k: 7 };
  return write('broken.bpf', encodeFilter({ program: validate(insns), endian: 'little'}));
})();

async function json(argv: readonly string[], code: number): Promise<unknown> {
  const io = memoryIO();
  assert.is(await main([...argv], io), code, io.err());
  assert.is(io.err(), '');
  const lines = io.out().split('\n');
  assert.equal([lines.length, lines[1]], [2, ''], 'one line');
  return JSON.parse(lines[0]!);
}

const socketcallArches = ARCH_NAMES.filter((a) => ARCHES[a].syscalls.has('socketcall'));
const CASES: Array<[string, string[], number, (out: never) => void]> = [
  ['syscalls NAME', ['syscalls', '--json', '--arch', 'x86_64', 'read'], 0, (o: SyscallsJson) =>
    assert.equal(o, { command: 'syscalls', query: 'read', syscalls: [{ arch: 'x86_64', name: 'read', nr: 0 }] })],
  ['syscalls NR (x32, without the x32 bit)', ['syscalls', '--json', '--arch', 'x32', '1'], 0, (o: SyscallsJson) =>
    assert.equal(o.syscalls, [{ arch: 'x32', name: 'write', nr: 0x40000001 }])],
  ['syscalls --all-arches: the arches that have it', ['syscalls', '--json', '-A', 'socketcall'], 0, (o: SyscallsJson) =>
    assert.equal(o.syscalls, socketcallArches.map((arch) => ({ arch, name: 'socketcall', nr: ARCHES[arch].syscalls.get('socketcall')! })))],
  ['syscalls: a whole table, by number', ['syscalls', '--json', '--arch', 'aarch64'], 0, (o: SyscallsJson) => {
    assert.is(o.query, undefined);
    assert.is(o.syscalls.length, ARCHES.aarch64.syscalls.size);
    assert.equal(o.syscalls.map((s) => s.nr), [...ARCHES.aarch64.syscalls.values()].sort((a, b) => a - b));
  }],
  ['verify: ok', ['verify', '--json', policyFile], 0, (o: VerifyJson) => {
    assert.equal([o.command, o.policy, o.ok, o.exhaustive, o.mismatches, o.counterexample], ['verify', policyFile, true, true, 0, undefined]);
    assert.equal(o.perArch.map((a) => a.arch), ['x86_64', 'x32', 'other']);
    assert.ok(o.cases > 0 && o.regions > 0);
  }],
  ['verify: the smallest counterexample', ['verify', '--json', policyFile, '--filter', broken], 1, (o: VerifyJson) => {
    assert.equal([o.ok, o.filter], [false, broken]);
    assert.equal(o.counterexample, { arch: 'x86_64', auditArch: 0xc000003e, nr: 41, syscall: 'socket', args: ['2', '0', '0', '0', '0', '0'], filter: 'allow', policy: 'errno(EACCES)' });
  }],
  ['diff: the same', ['diff', '--json', policyFile, policyFile, '--arch', 'x86_64'], 0, (o: DiffJson) => {
    assert.equal([o.command, o.same, o.method, o.differences], ['diff', true, 'exact', []]);
    assert.equal(o.a, { source: policyFile, kind: 'policy', arches: ['x86_64'], instructions: o.a.instructions, endian: 'little' });
  }],
  ['diff: every difference', ['diff', '--json', policyFile, looser, '--arch', 'x86_64', '--max', '0'], 1, (o: DiffJson) => {
    assert.is(o.same, false);
    assert.equal(o.differences, [{
      arch: 'x86_64', nr: [41, 41], syscall: 'socket', args: 'arg0.lo = 2', a: 'errno(EACCES)', b: 'allow',
      example: { arch: 'x86_64', auditArch: 0xc000003e, nr: 41, syscall: 'socket', args: ['2', '0', '0', '0', '0', '0'] },
    }]);
  }],
  ['test: checks, failures and malformed lines', ['test', '--json', policyFile, cases], 1, (o: TestJson) => {
    assert.equal([o.command, o.ok, o.passed, o.failed], ['test', false, 2, 1]);
    assert.equal(o.checks.map((c) => [c.line, c.arch, c.pass, c.actual]), [[1, 'x86_64', true, 'allow'], [1, 'x32', true, 'allow'], [2, 'x86_64', false, 'errno(EACCES)']]);
    assert.equal(o.malformed.map((m) => m.line), [3]);
    assert.match(o.malformed[0]!.message, /missing "expect"/);
  }],
];
for (const [name, argv, code, check] of CASES) {
  test(`--json ${name}: exit ${code}`, async () => check((await json(argv, code)) as never));
}

const errors: Array<[string[], number, RegExp]> = [
  [['syscalls', '--json', '--arch', 'x86_64', 'conect'], 1, /^seccompile syscalls: unknown syscall 'conect' \(did you mean connect\?\)\n$/],
  [['verify', '--json', join(dir, 'missing.ts')], 1, /^seccompile verify: .*missing\.ts/],
  [['diff', '--json', policyFile], 2, /^seccompile diff: expected two inputs A and B, got 1/],
];
for (const [argv, code, message] of errors) {
  test(`--json ${argv[0]}: errors stay text on stderr (exit ${code})`, async () => {
    const io = memoryIO();
    assert.is(await main(argv, io), code);
    assert.is(io.out(), '');
    assert.match(io.err(), message);
  });
}

test.run();
