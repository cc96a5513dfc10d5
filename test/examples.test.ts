/**
 * The examples/ directory works as documented: the example test file passes when run as its
 * README says (a separate process, importing 'seccompile' and 'seccompile/testing'), its cases
 * file passes `seccompile test`, and the example policy verifies.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli/seccompile/seccompile.js';
import { memoryIO } from '../src/cli/io.js';

const root = fileURLToPath(new URL('..', import.meta.url));

test('examples/my-policy.test.ts passes', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/my-policy.test.ts'], { cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Passed:\s+7\n/);
  assert.match(r.stdout, /Total:\s+7\n/);
});

test('seccompile test examples/my-policy.ts examples/my-policy.cases.jsonl', async () => {
  const io = memoryIO();
  const code = await main(['test', `${root}examples/my-policy.ts`, `${root}examples/my-policy.cases.jsonl`], io);
  assert.is(code, 0, io.out() + io.err());
  assert.match(io.out(), /17 checks: 17 passed, 0 failed\n$/);
});

test('seccompile verify examples/my-policy.ts', async () => {
  const io = memoryIO();
  const code = await main(['verify', `${root}examples/my-policy.ts`], io);
  assert.is(code, 0, io.out() + io.err());
  assert.match(io.out(), /exhaustive: the regions cover every input\)\nok: the filter decides as the policy\n$/);
});

test('examples/service-groups.ts compiles without warnings and verifies', async () => {
  const compiled = memoryIO();
  assert.is(await main([`${root}examples/service-groups.ts`, '--format', 'disasm'], compiled), 0, compiled.err());
  assert.is(compiled.err(), '');
  const io = memoryIO();
  const code = await main(['verify', `${root}examples/service-groups.ts`], io);
  assert.is(code, 0, io.out() + io.err());
  assert.match(io.out(), /ok: the filter decides as the policy\n$/);
});

test.run();
