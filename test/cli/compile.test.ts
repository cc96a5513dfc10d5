/**
 * `seccompile POLICY ...` in-process (memoryIO): each output format, the default-command
 * dispatch, --verbose, and bad input as data (policy text in, exit code and message out).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/seccompile/seccompile.js';
import { memoryIO } from '../../src/cli/io.js';
import { decode } from '../../src/bpf/encode.js';
import { validate } from '../../src/bpf/validate.js';
import { evaluate } from '../../src/seccomp/evaluate.js';
import { ARCHES } from '../../src/syscalls/index.js';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-compile-test-'));
const write = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

const sample = write(
  'sample.ts',
  `import { policy, allow, errno, kill, arg, AF_UNIX } from 'seccompile';
export default policy({
  default: errno('EPERM'),
  arch: ['x86_64', 'x32'],
  rules: [
    allow('read', 'write', 'close', 'exit_group'),
    allow('socket').when(arg(0).eq(AF_UNIX)),
    kill().on('ptrace'),
  ],
});
`,
);

async function run(...argv: string[]) {
  const io = memoryIO();
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err(), bytes: io.outBytes() };
}

test('seccompile POLICY -o FILE writes a raw filter that decides as the policy says', async () => {
  const out = join(dir, 'sample.bpf');
  const r = await run(sample, '-o', out);
  assert.is(r.code, 0, r.err);
  const program = validate(decode(readFileSync(out), 'little'));
  const x = ARCHES.x86_64;
  const act = (nr: number, args: bigint[] = []) => evaluate(program, { arch: x.auditArch, nr, args, instructionPointer: 0n }, 'little').action;
  assert.equal(act(x.syscalls.get('read')!), { kind: 'allow' });
  assert.equal(act(x.syscalls.get('socket')!, [1n]), { kind: 'allow' });
  assert.equal(act(x.syscalls.get('socket')!, [2n]), { kind: 'errno', errno: 1 });
  assert.equal(act(x.syscalls.get('ptrace')!), { kind: 'kill_process' });
  assert.equal(act(ARCHES.x32.syscalls.get('read')!), { kind: 'allow' });
});

test('`compile` subcommand and the default dispatch give the same bytes', async () => {
  const a = await run('compile', sample, '--format', 'bpf');
  const b = await run(sample);
  assert.is(a.code, 0);
  assert.ok(a.bytes.length > 0 && a.bytes.equals(b.bytes));
});

test('formats: disasm, c, hex, json', async () => {
  const bpf = (await run(sample)).bytes;
  const n = bpf.length / 8;
  const disasm = await run(sample, '--format', 'disasm');
  assert.match(disasm.out, /ld \[4\]\s+; arch/);
  assert.match(disasm.out, /AUDIT_ARCH_X86_64/);
  const c = await run(sample, '--format', 'c');
  assert.match(c.out, /static struct sock_filter sample_filter\[\] = \{/);
  assert.match(c.out, new RegExp(`\\.len = ${n},`));
  assert.is(c.out.split('\n').filter((l) => l.startsWith('\t{ 0x')).length, n);
  const hex = await run(sample, '--format', 'hex');
  assert.is(hex.out, bpf.toString('hex').replace(/(.{16})/g, '$1\n'));
  const json = JSON.parse((await run(sample, '--format', 'json')).out) as { policy: string; arches: string[]; instructions: number; endian: string; program: unknown[] };
  assert.equal([json.policy, json.arches, json.instructions, json.endian, json.program.length], ['sample', ['x86_64', 'x32'], n, 'little', n]);
});

test('format c: compiles with gcc and has the program length', async (): Promise<void> => {
  if (spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.log('SKIP: C output check: gcc not found');
    return;
  }
  const c = write('sample-filter.c', (await run(sample, '--format', 'c')).out);
  const n = (await run(sample)).bytes.length / 8;
  const main = write('main.c', `#include "${c}"\n#include <stdio.h>\nint main(void) { printf("%d %d\\n", sample_filter_prog.len, (int)(sizeof sample_filter / sizeof sample_filter[0])); return 0; }\n`);
  execFileSync('gcc', ['-Wall', '-Werror', '-o', join(dir, 'main'), main]);
  assert.is(execFileSync(join(dir, 'main'), { encoding: 'utf8' }), `${n} ${n}\n`);
});

test('--arch overrides the policy; big-endian s390x output', async () => {
  const plain = write('plain.ts', `import { policy, allow, errno, arg } from 'seccompile';\nexport default policy({ default: errno(1), arch: ['x86_64'], rules: [allow('read'), allow('write').when(arg(0).gt(2 ** 32))] });\n`);
  const r = await run(plain, '--arch', 's390x');
  assert.is(r.code, 0, r.err);
  validate(decode(r.bytes, 'big'));
});

test('--verbose lists skipped syscalls per arch and stats', async () => {
  const r = await run(sample, '--arch', 'aarch64,x86_64', '--format', 'hex', '-v');
  assert.is(r.code, 0, r.err);
  assert.match(r.err, /aarch64: /);
  assert.match(r.err, /instructions: \d+ \(little-endian\)/);
  assert.match(r.err, /nr ranges: .*aarch64 \d+/);
  const skip = write('skip.ts', `import { policy, allow, kill } from 'seccompile';\nexport default policy({ default: kill(), rules: [allow('open', 'read')] });\n`);
  const s = await run(skip, '--arch', 'aarch64', '--format', 'hex', '--verbose');
  assert.is(s.code, 0, s.err);
  assert.match(s.err, /aarch64: skipped \(absent on aarch64\): open/);
});

const bad: [string, string, RegExp][] = [
  ['unknown syscall', `import { policy, allow, kill } from 'seccompile';\nexport default policy({ default: kill(), rules: [allow('conect' as 'connect')] });\n`, /bad-0\.ts:2:\d+: error: .*did you mean connect.*\[unknown-syscall\]/],
  ['argument index out of range', `import { policy, allow, kill, arg } from 'seccompile';\nexport default policy({ default: kill(), rules: [\n  allow('read').when(arg(6).eq(1)),\n] });\n`, /bad-1\.ts:3:\d+: error: .*\[arg-index\]/],
  ['value out of range', `import { policy, allow, kill, arg } from 'seccompile';\nexport default policy({ default: kill(), rules: [\n  allow('read').when(arg(0).eq(2n ** 64n)),\n] });\n`, /bad-2\.ts:3:\d+: error: .*\[value-range\]/],
  ['unknown arch', `import { policy, allow, kill } from 'seccompile';\nexport default policy({ default: kill(), arch: ['vax' as 'x86'], rules: [allow('read')] });\n`, /error: .*\[unknown-arch\]/],
  ['syntax error', `import { policy } from 'seccompile';\nexport default policy({\n  default: ,\n});\n`, /bad-4\.ts:3:\d+/],
  [
    'filter over 4096 instructions',
    `import { policy, errno, kill, arg, ARCHES } from 'seccompile';\nconst names = [...ARCHES.x86_64.syscalls.keys()].slice(0, 300);\nexport default policy({ default: kill(), arch: ['x86_64'], rules: names.flatMap((n, i) => [0, 1, 2, 3].map((a) => errno(1 + (i % 50)).on(n as 'read').when(arg(a).eq(7 * i + a)))) });\n`,
    /has \d{4,} instructions, more than the 4096 the kernel accepts/,
  ],
];
bad.forEach(([what, text, message], i) => {
  test(`bad input: ${what} -> exit 1 with its place`, async () => {
    const file = write(`bad-${i}.ts`, text);
    const out = join(dir, `bad-${i}.bpf`);
    const r = await run(file, '-o', out);
    assert.is(r.code, 1, `exit code; stderr: ${r.err}`);
    assert.match(r.err, message);
    assert.not.ok(require_exists(out), 'nothing written');
  });
});

function require_exists(path: string): boolean {
  try {
    readFileSync(path);
    return true;
  } catch {
    return false;
  }
}

test('OCI JSON input: a profile without defaultAction is an error (test/cli/oci.test.ts covers profiles)', async () => {
  const r = await run(write('profile.json', '{}'));
  assert.is(r.code, 1);
  assert.match(r.err, /defaultAction/);
});

test('--help and usage errors', async () => {
  const h = await run('compile', '--help');
  assert.is(h.code, 0);
  assert.match(h.out, /--format F/);
  assert.is((await run('compile')).code, 2);
  assert.is((await run(sample, '--format', 'elf')).code, 2);
});

const usageErrors: [string, string[], RegExp][] = [
  ['misspelt --arch', ['--arch', 'sparc'], /^seccompile compile: --arch: unknown arch 'sparc'; known: x86_64, .* \(see seccompile compile --help\)\n$/],
  ['--arch with a near miss', ['--arch', 'x86_64,aarch46'], /^seccompile compile: --arch: unknown arch 'aarch46' \(did you mean aarch64\?\)/],
  ['--caps on a .ts policy', ['--caps', 'ALL'], /^seccompile compile: --caps applies to OCI profiles \(\.json\) only, not to sample\.ts \(see seccompile compile --help\)\n$/],
  ['--kernel on a .ts policy', ['--kernel', '5.10'], /^seccompile compile: --kernel applies to OCI profiles \(\.json\) only/],
];
for (const [what, options, message] of usageErrors) {
  test(`usage error: ${what} -> exit 2, one line naming the option, nothing written`, async () => {
    const out = join(dir, 'usage.bpf');
    const r = await run(sample, ...options, '-o', out);
    assert.is(r.code, 2, `exit code; stderr: ${r.err}`);
    assert.match(r.err, message);
    assert.not.ok(require_exists(out), 'nothing written');
  });
}

test('a policy with errors ends with a `seccompile compile:` trailer, as other commands do', async () => {
  const r = await run(write('trailer.ts', `import { policy, allow, kill } from 'seccompile';\nexport default policy({ default: kill(), rules: [allow('conect' as 'connect')] });\n`));
  assert.is(r.code, 1);
  assert.match(r.err, /\nseccompile compile: \S*trailer\.ts: not compiled \(errors above\)\n$/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test('an output file that cannot be written: exit 1 naming it, for every output format', async () => {
  for (const format of ['bpf', 'disasm', 'oci']) {
    const out = join(dir, 'no-such-dir', `x.${format}`);
    const r = await run(sample, '--format', format, '-o', out);
    assert.is(r.code, 1, `${format}: ${r.err}`);
    assert.match(r.err, new RegExp(`cannot write ${out.replace(/[.]/g, '\\.')}: ENOENT`), format);
  }
});

test.run();
