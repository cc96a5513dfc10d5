/**
 * --policy resolution without running anything: .bpf files are validated in the host byte
 * order, a filter that denies execve is refused, names that are not built-ins are errors
 * listing the built-ins.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from '../../src/bpf/encode.js';
import { stmt, BPF_CLASS } from '../../src/bpf/isa.js';
import { checkFilter as checked } from '../../src/launcher/seccomp/policy-check.js';
import { resolvePolicy } from '../../src/launcher/seccomp/policy-source.js';
import { hostArchName, syscallNumber } from '../../src/launcher/linux.js';
import { hostArch } from '../../src/syscalls/index.js';
import { SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_LOG, SECCOMP_RET_TRAP } from '../../src/seccomp/abi.js';
import { filterFor, noInetFilter } from '../support/jail.js';
import { HOST_SYSCALLS } from '../../scripts/gen-syscalls.js';

const dir = mkdtempSync(join(tmpdir(), 'jail-policy-'));
const file = (name: string, bytes: Uint8Array) => {
  writeFileSync(join(dir, name), bytes);
  return join(dir, name);
};

test('a valid .bpf file is read as is', async () => {
  const bytes = noInetFilter();
  const f = await resolvePolicy(file('ok.bpf', bytes));
  assert.equal([...f.bytes], [...bytes]);
});

const execveCases: Array<[string, number, boolean]> = [
  ['allow', SECCOMP_RET_ALLOW, true],
  ['log', SECCOMP_RET_LOG, true],
  ['errno', SECCOMP_RET_ERRNO | 1, false],
  ['kill', SECCOMP_RET_KILL_PROCESS, false],
  ['trap', SECCOMP_RET_TRAP, false],
];
for (const [name, ret, allowed] of execveCases) {
  test(`execve -> ${name}: ${allowed ? 'accepted' : 'refused up front'}`, () => {
    const filter = { name: `${name}.bpf`, bytes: filterFor('execve', [], ret) };
    if (allowed) checked(filter);
    else assert.throws(() => checked(filter), new RegExp(`^policy: ${name}\\.bpf denies execve`));
  });
}

test('invalid bytes are an error naming the file', async () => {
  await resolvePolicy(file('odd.bpf', new Uint8Array(12))).then(
    () => assert.unreachable(),
    (e: Error) => assert.match(e.message, /odd\.bpf: .*not a multiple of 8|odd\.bpf/),
  );
  // A program that never returns is not a valid seccomp filter.
  const noRet = encode([stmt(BPF_CLASS.LD, 0)]);
  assert.throws(() => checked({ name: 'noret.bpf', bytes: noRet }), /^policy: noret\.bpf: /);
});

test('unknown built-in names list the built-ins; other file kinds are errors', async () => {
  await resolvePolicy('no-such-policy').then(
    () => assert.unreachable(),
    (e: Error) => assert.match(e.message, /unknown policy "no-such-policy" \((built-in policies: |no built-in policies in )/),
  );
  await resolvePolicy('Bad Name').then(
    () => assert.unreachable(),
    (e: Error) => assert.match(e.message, /unknown policy "Bad Name"/),
  );
  // A path with an extension the table does not know: the message lists the table's.
  const e = await resolvePolicy(join(dir, 'notes.txt')).then(() => undefined, (x: Error) => x);
  assert.match(e?.message ?? '', /notes\.txt: not a policy source: a policy file is \.ts, .*\.cjs, an OCI profile \.json, a compiled filter \.bpf$/);
});

const profile = (flags: readonly string[]) =>
  JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['ptrace'], action: 'SCMP_ACT_ERRNO' }], flags });
const flagCases: Array<[string, readonly string[], RegExp | undefined]> = [
  ['no flags', [], undefined],
  ['TSYNC, which jail installs with anyway', ['SECCOMP_FILTER_FLAG_TSYNC'], undefined],
  ['LOG', ['SECCOMP_FILTER_FLAG_LOG'], /^policy: \S+log\.json asks for SECCOMP_FILTER_FLAG_LOG; jail installs filters with SECCOMP_FILTER_FLAG_TSYNC only: remove it from the profile's "flags"/],
  ['SPEC_ALLOW and TSYNC', ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'], /asks for SECCOMP_FILTER_FLAG_SPEC_ALLOW;/],
  ['two it does not apply', ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'], /asks for SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;.*remove them/],
];
for (const [name, flags, refused] of flagCases) {
  test(`an OCI profile's flags, ${name}: ${refused ? 'refused, not dropped' : 'accepted'}`, async () => {
    const path = join(dir, `${name.replace(/\W+/g, '-').toLowerCase()}${flags.includes('SECCOMP_FILTER_FLAG_LOG') && flags.length === 1 ? '-log' : ''}.json`);
    writeFileSync(path, profile(flags));
    const outcome = await resolvePolicy(path).then(
      (f) => f,
      (e: Error) => e,
    );
    if (!refused) assert.ok(!(outcome instanceof Error) && outcome.bytes.length > 0, String(outcome));
    else assert.match(outcome instanceof Error ? outcome.message : 'accepted', refused);
  });
}

test('hostArchName and syscallNumber (jail start-up) agree with hostArch (the syscall tables); 32-bit hosts have no numbers', () => {
  assert.is(hostArchName(), hostArch().name);
  for (const [node, le] of [['x64', true], ['arm64', true], ['riscv64', true], ['s390x', false], ['ppc64', true], ['loong64', true]] as const) {
    const arch = hostArch(node, le ? 'LE' : 'BE');
    assert.is(hostArchName(node, le), arch.name);
    for (const name of HOST_SYSCALLS) assert.is(syscallNumber(name, node, le), arch.syscalls.get(name), `${name} on ${arch.name}`);
  }
  for (const [node, name] of [['ia32', 'x86'], ['arm', 'arm']] as const) {
    assert.is(hostArchName(node, true), name);
    assert.is(syscallNumber('seccomp', node, true), undefined);
  }
  assert.is(hostArchName('ppc64', false), 'ppc64');
  assert.is(syscallNumber('execve', 'ppc64', false), undefined);
});

test.run();
