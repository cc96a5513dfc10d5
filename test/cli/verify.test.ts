/**
 * `seccompile verify` in-process: a policy verifies (exit 0, per-arch table), a broken filter is
 * caught with the smallest counterexample (exit 1), usage errors (exit 2).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/seccompile.js';
import { memoryIO } from '../../src/cli/io.js';
import { compile, encodeFilter } from '../../src/compiler/index.js';
import { validate } from '../../src/bpf/validate.js';
import { loadPolicy } from '../../src/testing/load.js';
import { allow, arg, errno, policy } from '../../src/dsl/index.js';

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
  const bad = write('bad.bpf', encodeFilter({ program: validate(insns), endian: 'little', stats: compile(loaded.ir!).stats }));
  const r = await run(file, '--filter', bad);
  assert.is(r.code, 1, r.err);
  assert.match(r.out, /MISMATCH: \d+ cases or regions decide differently; the smallest:\n  x86_64 socket \(nr 41\) args \[2, 0, 0, 0, 0, 0\]: filter allow, policy errno\(EACCES\)\n$/);
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
