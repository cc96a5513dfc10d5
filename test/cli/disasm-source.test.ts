/**
 * `seccompile disasm --source POLICY` in-process: each instruction with the rule (and its
 * file:line:column) or the part of the dispatch it came from, for a DSL policy and an OCI
 * profile; the built-in net-off listing is the golden test/golden/disasm/net-off.x86_64.source.txt; usage errors.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/seccompile/seccompile.js';
import { memoryIO } from '../../src/cli/io.js';
import { ROOT } from '../../scripts/build-policies.js';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-disasm-source-'));
const policyFile = join(dir, 'p.ts');
writeFileSync(
  policyFile,
  `import { policy, allow, errno, kill, arg } from 'seccompile';
export default policy({
  default: errno('EPERM'),
  arch: ['x86_64'],
  rules: [
    allow('read', 'write'),
    errno('EACCES').on('socket').when(arg(0).int.eq(2)),
    allow('socket'),
    kill().on('ptrace'),
  ],
});
`,
);
const profile = join(ROOT, 'test/fixtures/oci/denylist.json');

async function run(...argv: string[]) {
  const io = memoryIO();
  const code = await main(['disasm', ...argv], io);
  return { code, out: io.out(), err: io.err() };
}

// [argv, exit code, stdout patterns, stderr pattern]
const CASES: Array<[string[], number, RegExp[], RegExp | '']> = [
  [['--source', policyFile], 0, [
    /^ {3}0: ld \[4\] +; arch \[arch check\]$/m,
    /^ {3}1: jeq #0xc000003e, L\d+(, L\d+)? +; AUDIT_ARCH_X86_64 \[arch check\]$/m,
    /: ld \[0\] +; nr \[syscall nr tree\]$/m,
    /: jeq #41, L\d+(, L\d+)? +; socket \[syscall nr tree\]$/m,
    // The socket rule's argument test: that rule alone, where it was written.
    /: ld \[16\] +; args\[0\] low \[rules\[1\] \S*p\.ts:7:\d+\]$/m,
    /: jeq #2, L\d+(, L\d+)? +; \[rules\[1\] \S*p\.ts:7:\d+\]$/m,
    /: ret #0x5000d +; ERRNO\(13\) \[rules\[1\] \S*p\.ts:7:\d+\]$/m,
    /: ret #0x7fff0000 +; ALLOW \[rules\[0\], rules\[2\]\]$/m,
    /: ret #0x80000000 +; KILL_PROCESS \[rules\[3\], badArch\]$/m,
    /: ret #0x50001 +; ERRNO\(1\) \[default\]$/m,
  ], ''],
  [['--source', profile, '--arch', 'x86_64'], 0, [
    /: ld \[16\] +; args\[0\] low \[syscalls\[8\]\]$/m,
    /: ret #0x50026 +; ERRNO\(38\) \[syscalls\[3\], syscalls\[13\]\]$/m,
    /: ret #0x7fff0000 +; ALLOW \[.*default.*\]$/m,
  ], /oci-split-conditions/],
  [['--source', policyFile, 'x.bpf'], 2, [], /--source lists what POLICY compiles to: give no FILE\.bpf/],
  [['--source', policyFile, '--endian', 'big'], 2, [], /--endian does not apply to --source/],
  [['x.bpf', '--arch', 'x86_64'], 2, [], /--arch applies to --source POLICY only/],
  [['--source', policyFile, '--arch', 'sparc'], 2, [], /--arch: unknown arch 'sparc'/],
  [['--source', join(dir, 'missing.ts')], 1, [], /missing\.ts/],
];

for (const [argv, code, outs, err] of CASES) {
  test(`disasm ${argv.map((a) => a.replace(dir + '/', '').replace(ROOT + '/', '')).join(' ')} -> ${code}`, async () => {
    const r = await run(...argv);
    assert.is(r.code, code, r.err);
    for (const o of outs) assert.match(r.out, o);
    if (err === '') assert.is(r.err, '');
    else assert.match(r.err, err);
  });
}

test('every instruction has its source; without them the listing is `--format disasm`', async () => {
  const r = await run('--source', policyFile);
  const source = / ?\[(rules|arch check|syscall nr tree|default|newer|badArch).*\]$/;
  const lines = r.out.split('\n').filter((l) => /^\s*\d+:/.test(l));
  assert.ok(lines.length > 8, r.out);
  for (const l of lines) assert.match(l, source, l);
  const io = memoryIO();
  assert.is(await main([policyFile, '--format', 'disasm'], io), 0, io.err());
  const plain = io.out().split('\n').filter((l) => !l.startsWith(';'));
  const stripped = r.out.split('\n').map((l) => l.replace(source, '').replace(/ +;$/, '').trimEnd());
  assert.equal(stripped, plain.map((l) => l.trimEnd()));
});

test('the built-in net-off on x86_64 lists as the golden test/golden/disasm/net-off.x86_64.source.txt', async () => {
  const golden = readFileSync(join(ROOT, 'test/golden/disasm/net-off.x86_64.source.txt'), 'utf8');
  const [, command, ...listing] = golden.split('\n');
  const argv = command!.replace(/^; seccompile disasm /, '').split(' ');
  assert.equal(argv.slice(0, 2), ['--source', 'policies/net-off.ts']);
  assert.is(process.cwd(), ROOT.replace(/\/$/, ''), 'the test runner runs tests from the repository root');
  const r = await run(...argv);
  assert.is(r.code, 0, r.err);
  assert.is(r.out, listing.join('\n'));
  assert.match(r.out, /\[rules\[\d+\] policies\/net-off\.ts:\d+:\d+\]/);
});

test.run();
