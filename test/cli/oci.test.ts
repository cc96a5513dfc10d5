/**
 * The CLI on OCI profiles, in-process: `seccompile profile.json -o out.bpf` (with --caps, --kernel,
 * --arch as the native arch), `--format oci|k8s` from a DSL policy and from a profile, and bad
 * profiles as data (exit status 1, a diagnostic with file:line:column and the JSON path).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/seccompile/seccompile.js';
import { memoryIO } from '../../src/cli/io.js';
import { loadProgram } from '../../src/bpf/load.js';
import { evaluate } from '../../src/seccomp/evaluate.js';
import { ARCHES } from '../../src/syscalls/index.js';
import { importOciProfile } from '../../src/oci/index.js';
import { load } from '../../src/testing/load.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'oci');
const dir = mkdtempSync(join(tmpdir(), 'seccompile-oci-cli-'));
const write = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

async function run(...argv: string[]) {
  const io = memoryIO();
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err(), bytes: io.outBytes() };
}

const x86_64 = ARCHES.x86_64;
const call = (name: string, args: bigint[] = []) => ({ nr: x86_64.syscalls.get(name)!, arch: x86_64.auditArch, instructionPointer: 0n, args });

test('seccompile podman-default.json -o out.bpf: a filter deciding as the profile', async () => {
  const out = join(dir, 'podman.bpf');
  const r = await run(join(fixtures, 'podman-default.json'), '-o', out, '--arch', 'x86_64', '--kernel', '6.1');
  assert.is(r.code, 0, r.err);
  assert.match(r.err, /unknown syscall 'syscall'/); // a warning, as runc ignores it
  const { program } = loadProgram(new Uint8Array(readFileSync(out)), 'little');
  assert.is(evaluate(program, call('read'), 'little').action.kind, 'allow');
  assert.equal(evaluate(program, call('bpf'), 'little').action, { kind: 'errno', errno: 1 }); // no CAP_SYS_ADMIN
  assert.equal(evaluate(program, call('kexec_load'), 'little').action, { kind: 'errno', errno: 1 });
  assert.equal(evaluate(program, call('personality', [0xffffffffn]), 'little').action, { kind: 'allow' });
  assert.equal(evaluate(program, call('personality', [7n]), 'little').action, { kind: 'errno', errno: 38 });
});

test("--arch takes the aliases every command takes (arm64 = aarch64): the same filter, not the host's", async () => {
  const out = (name: string) => join(dir, `podman-${name}.bpf`);
  for (const arch of ['aarch64', 'arm64', 'x86_64']) {
    const r = await run(join(fixtures, 'podman-default.json'), '-o', out(arch), '--arch', arch, '--kernel', '6.1');
    assert.is(r.code, 0, r.err);
  }
  assert.ok(readFileSync(out('arm64')).equals(readFileSync(out('aarch64'))));
  assert.not.ok(readFileSync(out('arm64')).equals(readFileSync(out('x86_64'))), 'the alias was not dropped for the host arch');
});

test('the test API refuses an OCI profile with more than one or an unknown arch, instead of dropping it', async () => {
  const refusal = (arch: string | string[]) => load(join(fixtures, 'denylist.json'), { arch }).then(() => 'loaded', (e: Error) => e.message);
  assert.match(await refusal(['x86_64', 'aarch64']), /names its own architectures; give at most one arch/);
  assert.match(await refusal('sparc'), /unknown arch 'sparc'/);
});

test('--caps decides includes/excludes', async () => {
  const out = join(dir, 'podman-admin.bpf');
  const r = await run(join(fixtures, 'podman-default.json'), '-o', out, '--arch', 'x86_64', '--caps', 'CAP_SYS_ADMIN,sys_ptrace', '--kernel', '6.1');
  assert.is(r.code, 0, r.err);
  const { program } = loadProgram(new Uint8Array(readFileSync(out)), 'little');
  assert.is(evaluate(program, call('bpf'), 'little').action.kind, 'allow');
  assert.is(evaluate(program, call('kcmp'), 'little').action.kind, 'allow');
});

test('--caps and --kernel are checked as options: exit 2, one line', async () => {
  const profile = join(fixtures, 'podman-default.json');
  const cases: Array<[string[], RegExp]> = [
    [['--caps', 'CAP_SYS_ADMIN,SYS_PTRAC'], /^seccompile compile: --caps: unknown capability 'SYS_PTRAC' \(did you mean CAP_SYS_PTRACE\b/],
    [['--kernel', 'banana'], /^seccompile compile: --kernel: 'banana' is not a kernel version like 6\.1/],
  ];
  for (const [argv, err] of cases) {
    const r = await run(profile, '-o', join(dir, 'never.bpf'), ...argv);
    assert.is(r.code, 2, r.err);
    assert.match(r.err, err);
    assert.is(r.err.trim().split('\n').length, 1);
  }
});

test('a bad profile: exit 1, diagnostic with place and JSON path, nothing written', async () => {
  const bad = write('bad.json', '{\n  "defaultAction": "SCMP_ACT_ERRNO",\n  "syscalls": [{ "names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{ "index": 0, "value": 1, "op": "SCMP_CMP_EQUAL" }] }]\n}\n');
  const out = join(dir, 'bad.bpf');
  const r = await run(bad, '-o', out, '--arch', 'x86_64');
  assert.is(r.code, 1);
  assert.match(r.err, /bad\.json:3:\d+: error: syscalls\[0\]\.args\[0\]\.op: unknown operator 'SCMP_CMP_EQUAL'/);
  assert.throws(() => readFileSync(out));
});

test('--format oci and k8s from a DSL policy; the profile imports back', async () => {
  const policyFile = write(
    'web.ts',
    `import { policy, allow, errno, killThread, arg } from 'seccompile';
export default policy({
  default: errno('EPERM'),
  arch: ['x86_64'],
  badArch: killThread(),
  rules: [allow('read', 'write', 'exit_group'), allow('socket').when(arg(0).int.eq(1)), errno('EACCES').on('mkdir')],
});
`,
  );
  const oci = await run(policyFile, '--format', 'oci');
  assert.is(oci.code, 0, oci.err);
  const back = importOciProfile(oci.out, { arch: 'x86_64', kernel: '6.1', caps: [] });
  assert.equal(back.diagnostics.filter((d) => d.severity === 'error'), []);
  const k8s = await run(policyFile, '--format', 'k8s');
  assert.is(k8s.code, 0, k8s.err);
  assert.match(k8s.out, /^apiVersion: security-profiles-operator\.x-k8s\.io\/v1beta1\nkind: SeccompProfile\nmetadata:\n  name: "web"\n/);
});

test('--format oci refuses what OCI cannot say (exit 1)', async () => {
  const policyFile = write(
    'perarch.ts',
    `import { policy, allow, errno } from 'seccompile';
export default policy({ default: errno('EPERM'), arch: ['x86_64', 'x86'], rules: [allow('read'), allow('write').forArch('x86_64')] });
`,
  );
  const r = await run(policyFile, '--format', 'oci');
  assert.is(r.code, 1);
  assert.match(r.err, /cannot be written as an OCI profile: on x86, write/);
});

test('load() takes a profile path', async () => {
  const f = await load(join(fixtures, 'denylist.json'), { arch: 'x86_64' });
  assert.equal(f.arches, ['x86_64', 'x86', 'x32']);
  assert.is(evaluate(f.program, call('mount'), f.endian).action.kind, 'errno');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
