/**
 * Policy files are code: each way one can fail to export a policy (an endless loop, a top-level
 * await that never settles, process.exit, a timer that keeps running, endless allocation) ends
 * the load with exit 1 and a message naming the file and what happened, never a success with no
 * output, and never takes the process down with it. Run through the CLI in-process.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/seccompile/seccompile.js';
import { memoryIO } from '../../src/cli/io.js';
import { DEFAULT_LOAD_TIMEOUT, POLICY_HEAP_MB } from '../../src/loader/isolate.js';
import { JAIL_USAGE } from '../../src/cli/jail/jail-options.js';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-hostile-'));
const write = (name: string, lines: readonly string[]) => {
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
};
const HEADER = "import { allow, errno, policy } from 'seccompile';";
const POLICY = "export default policy({ default: allow(), arch: ['x86_64'], rules: [errno('EPERM').on('mount')] });";

const good = write('good.ts', [HEADER, POLICY]);

const CASES: readonly { name: string; lines: readonly string[]; message: RegExp; timeout?: string }[] = [
  { name: 'loop.ts', lines: [HEADER, 'while (true) {}', POLICY], message: /did not finish within 1s \(an endless loop, or a top-level await that never settles\?\); give it longer with --load-timeout SECONDS/ },
  { name: 'tla.ts', lines: [HEADER, 'await new Promise(() => {});', POLICY], message: /never finished: its top-level await waits for something that never settles/ },
  { name: 'exit.ts', lines: [HEADER, 'process.exit(0);', POLICY], message: /called process\.exit\(0\) instead of exporting a policy/ },
  { name: 'exit3.ts', lines: [HEADER, 'process.exitCode = 3; process.exit();', POLICY], message: /called process\.exit\(3\)/ },
  { name: 'abort.ts', lines: [HEADER, 'process.abort();', POLICY], message: /called process\.exit\(134\)/ },
  { name: 'interval-tla.ts', lines: [HEADER, 'setInterval(() => {}, 10);', 'await new Promise(() => {});', POLICY], message: /did not finish within 1s/ },
  { name: 'oom.ts', lines: [HEADER, 'const keep: number[][] = [];', 'for (;;) keep.push(new Array(1000).fill(Math.random()));', POLICY], message: new RegExp(`ran out of memory \\(its heap is limited to ${POLICY_HEAP_MB} MB\\)`), timeout: '120' },
  { name: 'throws-late.ts', lines: [HEADER, "setTimeout(() => { throw new Error('boom later'); }, 5);", 'await new Promise(() => {});', POLICY], message: /threw: boom later/ },
  { name: 'function.ts', lines: [HEADER, 'const p = policy({ default: allow(), rules: [] });', 'export default { ...p, f() {} };'], message: /is not plain data/ },
  { name: 'number.ts', lines: ['export default 42;'], message: /is not a policy \(got number\)/ },
  { name: 'none.ts', lines: ['export const x = 1;'], message: /has no default export/ },
];

for (const c of CASES) {
  test(`compile ${c.name}: exit 1, the file and what happened, nothing written`, async () => {
    const file = write(c.name, c.lines);
    const out = join(dir, `${c.name}.bpf`);
    const io = memoryIO();
    const code = await main(['compile', file, '-o', out, '--load-timeout', c.timeout ?? '1'], io);
    assert.is(code, 1, io.err());
    assert.match(io.err(), file);
    assert.match(io.err(), c.message, io.err());
    assert.not.match(io.err(), /\n\s+at /, 'no stack trace');
    assert.is(io.out(), '');
  });
}

test('a timer left running by a policy that exports does not keep the command alive', async () => {
  const file = write('interval.ts', [HEADER, 'setInterval(() => {}, 10);', POLICY]);
  const io = memoryIO();
  assert.is(await main(['compile', file, '--format', 'disasm'], io), 0, io.err());
  assert.match(io.out(), /ret/);
  // The process exiting at all (uvu ends the file) shows the worker is gone.
});

test('verify, test and diff fail on a policy that never finishes loading (diff does not say "same")', async () => {
  const tla = write('tla2.ts', [HEADER, 'await new Promise(() => {});', POLICY]);
  const cases = write('cases.jsonl', ['{"syscall":"mount","arch":"x86_64","expect":"errno(EPERM)"}']);
  for (const argv of [['verify', tla], ['test', tla, cases], ['diff', tla, good]]) {
    const io = memoryIO();
    const code = await main(argv, io);
    assert.is(code, 1, `${argv[0]}: ${io.err()}`);
    assert.match(io.err(), /never finished/, argv[0]);
    assert.not.match(io.out(), /same/);
  }
});

test('--load-timeout: a slow policy loads when given the time; bad values are usage errors', async () => {
  const slow = write('slow.ts', [HEADER, 'const until = Date.now() + 1500;', 'while (Date.now() < until) {}', POLICY]);
  const fast = memoryIO();
  assert.is(await main(['compile', slow, '--format', 'disasm', '--load-timeout', '0.3'], fast), 1);
  assert.match(fast.err(), /did not finish within 0.3s/);
  const patient = memoryIO();
  assert.is(await main(['compile', slow, '--format', 'disasm', '--load-timeout', '20'], patient), 0, patient.err());
  for (const bad of ['0', '-1', 'x', '']) {
    const io = memoryIO();
    assert.is(await main(['compile', good, `--load-timeout=${bad}`], io), 2, bad);
    assert.match(io.err(), /--load-timeout must be a positive number of seconds/);
  }
});

test("jail's help gives the loader's default (it cannot import the loader on its start-up path)", () => {
  assert.match(JAIL_USAGE, `loads (default ${DEFAULT_LOAD_TIMEOUT})`);
});

test.run();
