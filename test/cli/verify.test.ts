/**
 * `seccompile verify` in-process: a policy verifies (exit 0, per-arch table), a broken filter is
 * caught with the smallest counterexample (exit 1), usage errors (exit 2).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/seccompile/seccompile.js';
import { memoryIO } from '../../src/cli/io.js';
import { compile, encodeFilter } from '../../src/compiler/index.js';
import { validate } from '../../src/bpf/validate.js';
import { loadPolicy } from '../../src/testing/load.js';
import { allow, arg, errno, policy } from '../../src/dsl/index.js';
import { ARCHES } from '../../src/syscalls/index.js';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-verify-test-'));
const write = (name: string, data: string | Uint8Array): string => {
  writeFileSync(join(dir, name), data);
  return join(dir, name);
};
const file = write(
  'p.ts',
  `import { policy, allow, errno, arg } from 'seccompile';
export default policy({
  default: errno('EPERM'),
  arch: ['x86_64', 'x32'],
  rules: [allow('read', 'write'), errno('EACCES').on('socket').when(arg(0).int.eq(2)), allow('socket')],
});
`,
);

async function run(...argv: string[]) {
  const io = memoryIO();
  const code = await main(['verify', ...argv], io);
  return { code, out: io.out(), err: io.err() };
}

test('a policy verifies: per-arch table, exhaustive', async () => {
  const r = await run(file);
  assert.is(r.code, 0, r.err + r.out);
  const lines = r.out.split('\n');
  assert.match(lines[0]!, /^arch\s+cases\s+regions\s+mismatches$/);
  assert.match(lines[1]!, /^x86_64\s+[\d,]+\s+[\d,]+\s+0$/);
  assert.match(lines[2]!, /^x32\s+[\d,]+\s+[\d,]+\s+0$/);
  assert.match(lines[3]!, /^other\s+[\d,]+\s+[\d,]+\s+0$/);
  assert.match(r.out, /cases and [\d,]+ regions checked in \d+ ms \(exhaustive: the regions cover every input\)\nok: the filter decides as the policy\n$/);
});

test('a broken filter: exit 1 and the smallest counterexample', async () => {
  const loaded = loadPolicy(
    policy({ default: errno('EPERM'), arch: ['x86_64', 'x32'], rules: [allow('read', 'write'), errno('EACCES').on('socket').when(arg(0).int.eq(2)), allow('socket')] }),
  );
  const insns = [...loaded.program];
  const at = insns.findIndex((i) => i.code === 0x15 && i.k === 2);
  insns[at] = { ...insns[at]!, k: 7 };
  const bad = write('bad.bpf', encodeFilter({ program: validate(insns), endian: 'little'}));
  const r = await run(file, '--filter', bad);
  assert.is(r.code, 1, r.err);
  assert.match(r.out, /MISMATCH: \d+ cases or regions decide differently; the smallest:\n  x86_64 socket \(nr 41\) args \[2, 0, 0, 0, 0, 0\]: filter allow, policy errno\(EACCES\)\n$/);
});

// A deny-list for aarch64 + arm: arm's numbers between its regular calls (..471) and its private
// ones (0x0f0000..) are newer than the tables and must be denied like those above.
const armFile = write(
  'arm.ts',
  `import { policy, allow, errno } from 'seccompile';
export default policy({
  default: allow(),
  newer: errno('ENOSYS'),
  arch: ['aarch64', 'arm'],
  rules: [errno('EPERM').on('set_tls', 'mount')],
});
`,
);

test('an arm-targeting deny-list verifies, newer numbers around the private calls included', async () => {
  const r = await run(armFile);
  assert.is(r.code, 0, r.err + r.out);
  assert.match(r.out, /\narm\s+[\d,]+\s+[\d,]+\s+0\n/);
  assert.match(r.out, /ok: the filter decides as the policy\n$/);
});

test('a filter that lets arm numbers below 0x0f0000 through (the old single known span) is caught', async () => {
  const loaded = loadPolicy(policy({ default: allow(), newer: errno('ENOSYS'), arch: ['aarch64', 'arm'], rules: [errno('EPERM').on('set_tls', 'mount')] }));
  const ir = loaded.ir!;
  const old = { ...ir, sections: ir.sections.map((s) => (s.arch === 'arm' ? { ...s, knownNrs: [{ start: 0, end: ARCHES.arm.maxNr + 1 }] } : s)) };
  const bad = write('arm-old.bpf', encodeFilter(compile(old)));
  const r = await run(armFile, '--filter', bad);
  assert.is(r.code, 1, r.err);
  const first = ARCHES.arm.knownNrs[0]!.end;
  assert.match(r.out, new RegExp(`the smallest:\\n  arm nr ${first} args \\[0, 0, 0, 0, 0, 0\\]: filter allow, policy errno\\(ENOSYS\\)\\n$`), r.out);
});

test('usage errors: exit 2', async () => {
  assert.is((await run()).code, 2);
  const bpf = write('ok.bpf', encodeFilter(compile(loadPolicy(policy({ default: allow(), arch: 'x86_64', rules: [] })).ir!)));
  const r = await run(bpf);
  assert.is(r.code, 2);
  assert.match(r.err, /is a compiled filter; verify needs the policy/);
  assert.is((await run('--help')).code, 0);
  const arch = await run(bpf, '--arch', 'arm46');
  assert.is(arch.code, 2);
  assert.match(arch.err, /^seccompile verify: --arch: unknown arch 'arm46' \(did you mean arm64\?\)/);
});

test.run();
