/**
 * The one policy source layer: the extension table, and every kind of input loaded to a filter
 * with the same result shape (a policy file, an OCI profile, .bpf bytes, a PolicySpec), OCI
 * `flags` carried as install flags, and failures as SourceError with the diagnostics in order.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode, EncodingError } from '../../src/bpf/encode.js';
import { stmt } from '../../src/bpf/isa.js';
import { ProgramLoadError } from '../../src/bpf/load.js';
import { filterFromBytes } from '../../src/source/filter.js';
import { allow, errno, policy } from '../../src/dsl/index.js';
import { SOURCE_EXTENSIONS, sourceKind } from '../../src/source/kinds.js';
import { loadPolicySource, loadSource, SourceError } from '../../src/source/load.js';
import { evaluate } from '../../src/seccomp/evaluate.js';
import { ARCHES } from '../../src/syscalls/index.js';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-source-'));
const write = (name: string, text: string | Uint8Array) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

const kinds: Array<[string, string | undefined]> = [
  ['p.ts', 'module'],
  ['p.mts', 'module'],
  ['p.cts', 'module'],
  ['p.js', 'module'],
  ['p.mjs', 'module'],
  ['p.cjs', 'module'],
  ['dir.d/P.TS', 'module'],
  ['profile.json', 'oci'],
  ['f.bpf', 'filter'],
  ['f.BPF', 'filter'],
  ['notes.txt', undefined],
  ['noext', undefined],
  ['.ts', undefined],
  ['a.json/b', undefined],
];
for (const [path, kind] of kinds) {
  test(`sourceKind(${path}) = ${kind}`, () => assert.is(sourceKind(path), kind));
}

test('the table has one entry per extension, each lower case with its dot', () => {
  for (const ext of Object.keys(SOURCE_EXTENSIONS)) assert.match(ext, /^\.[a-z]+$/);
});

const spec = policy({ default: errno('EPERM'), arch: ['x86_64'], rules: [allow('read', 'exit_group')] });
const x86 = ARCHES.x86_64;
const decides = (s: { program: Parameters<typeof evaluate>[0]; endian: 'little' | 'big' }, name: 'read' | 'write') =>
  evaluate(s.program, { nr: x86.syscalls.get(name)!, arch: x86.auditArch, instructionPointer: 0n, args: [] }, s.endian).action.kind;

test('a policy file, the same policy as a value, its compiled bytes and an OCI profile decide alike', async () => {
  const file = write(
    'p.ts',
    `import { policy, allow, errno } from 'seccompile';\nexport default policy({ default: errno('EPERM'), arch: ['x86_64'], rules: [allow('read', 'exit_group')] });\n`,
  );
  const fromFile = await loadSource(file);
  const fromValue = await loadSource(spec);
  assert.is(fromFile.kind, 'module');
  assert.is(fromValue.kind, 'policy');
  assert.ok(fromFile.ir && fromFile.compiled && fromFile.spec?.rules.length === 1);
  const bytes = encode(fromValue.program, fromValue.endian);
  const fromBytes = await loadSource(bytes);
  const fromBpf = await loadSource(write('p.bpf', bytes));
  const profile = write(
    'p.json',
    JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1, architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['read', 'exit_group'], action: 'SCMP_ACT_ALLOW' }] }),
  );
  const fromProfile = await loadSource(profile, { arch: ['x86_64'] });
  for (const s of [fromFile, fromValue, fromBytes, fromBpf, fromProfile]) {
    assert.equal([decides(s, 'read'), decides(s, 'write')], ['allow', 'errno'], s.name);
    assert.equal(s.installFlags, []);
  }
  assert.equal([fromBytes.kind, fromBpf.kind, fromProfile.kind], ['filter', 'filter', 'oci']);
  assert.is(fromBytes.ir, undefined);
});

test("an OCI profile's flags are carried as install flags, once each, in order", async () => {
  const flags = ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG'];
  const path = write('flags.json', JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', flags }));
  assert.equal((await loadSource(path)).installFlags, ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_TSYNC']);
  assert.equal((await loadPolicySource(path)).installFlags, ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_TSYNC']);
});

const failures: Array<[string, () => Promise<unknown>, RegExp, number]> = [
  ['an unknown extension', () => loadSource(write('notes.txt', 'x')), /notes\.txt: not a policy source: a policy file is \.ts, .*an OCI profile \.json, a compiled filter \.bpf$/, 0],
  ['a compiled filter where a policy is needed', () => loadPolicySource(write('x.bpf', new Uint8Array(8))), /x\.bpf: a compiled filter, not a policy$/, 0],
  ['a missing filter', () => loadSource(join(dir, 'missing.bpf')), /^cannot read \S+missing\.bpf: no such file$/, 0],
  ['bytes that are no filter', () => loadSource(new Uint8Array(12)), /^bytes: /, 0],
  ['a filter over 4096 instructions', () => loadSource(write('big.bpf', new Uint8Array(4097 * 8))), /big\.bpf: larger than 4096 instructions/, 0],
  ['a directory named like a filter', () => loadSource((mkdirSync(join(dir, 'd.bpf')), join(dir, 'd.bpf'))), /^cannot read \S+d\.bpf: is a directory$/, 0],
  ['a policy with an unknown syscall', () => loadSource(policy({ default: errno('EPERM'), rules: [allow('nosuch' as 'read')] })), /^policy: the policy has errors$/, 1],
  ['a profile with errors', () => loadSource(write('bad.json', '{"defaultAction": "SCMP_ACT_NOPE"}')), /bad\.json: the profile has errors$/, 1],
  ['a policy file that throws', () => loadSource(write('throws.ts', 'throw new Error("no");\n')), /throws\.ts: cannot load the policy$/, 1],
];
for (const [name, run, message, errors] of failures) {
  test(`${name}: a SourceError`, async () => {
    const e = await run().then(
      () => undefined,
      (x: unknown) => x,
    );
    assert.instance(e, SourceError);
    assert.match((e as SourceError).message, message);
    assert.is((e as SourceError).errors.length, errors);
  });
}

test("bytes that are no valid program: the SourceError's cause is src/bpf's error, with every problem per byte order tried", () => {
  const cause = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      assert.instance(e, SourceError);
      return (e as SourceError).cause;
    }
    throw new Error('loaded');
  };
  assert.instance(cause(() => filterFromBytes(new Uint8Array(12), 'x')), EncodingError);
  const noReturn = encode([stmt(0x20, 4)], 'little');
  const both = cause(() => filterFromBytes(noReturn, 'x')) as ProgramLoadError;
  assert.instance(both, ProgramLoadError);
  assert.equal(Object.keys(both.errors), ['little', 'big']);
  const one = cause(() => filterFromBytes(noReturn, 'x', 'little')) as ProgramLoadError;
  assert.equal(Object.keys(one.errors), ['little']);
  assert.is(filterFromBytes(encode([stmt(0x06, 0x7fff0000)], 'big'), 'x').endian, 'big');
});

test('an unknown extension is read as the caller says', async () => {
  const bytes = encode((await loadSource(spec)).program, 'little');
  const s = await loadSource(write('filter.raw', bytes), { otherwise: 'filter' });
  assert.is(s.kind, 'filter');
});

test.run();
