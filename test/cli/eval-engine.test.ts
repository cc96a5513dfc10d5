/**
 * `seccompile eval` answers identically with the interpreter and with the WebAssembly JIT, and
 * `--engine auto` really switches to the JIT after its threshold (here lowered to one batch).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { main } from '../../src/cli/seccompile/seccompile.js';
import { memoryIO } from '../../src/cli/io.js';
import { makeEvalCommand, interpreterEvaluator, jitEvaluator, BATCH_SIZE, JIT_THRESHOLD } from '../../src/cli/seccompile/commands/eval.js';
import { encode } from '../../src/bpf/encode.js';
import type { Evaluator } from '../../src/seccomp/evaluate.js';
import { JitEvaluator } from '../../src/wasm/evaluator.js';
import { argCompares, scratchMemory } from '../support/programs.js';
import { makeRng, randomSeccompData } from '../support/random-program.js';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-eval-engine-'));
const files = {
  'arg-compares (little)': (() => {
    const f = join(dir, 'arg.bpf');
    writeFileSync(f, encode(argCompares, 'little'));
    return f;
  })(),
  'scratch-memory (big)': (() => {
    const f = join(dir, 'scratch-be.bpf');
    writeFileSync(f, encode(scratchMemory, 'big'));
    return f;
  })(),
};

/** Cases over a few arches and nrs with random arguments, some malformed lines and blank ones. */
function input(count: number): string {
  const rng = makeRng(count);
  const arches = ['x86_64', 'x86', 'aarch64', '0x12345678'];
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 997 === 5) lines.push('{"arch":"x86_64"}', '');
    const d = randomSeccompData(rng, { nr: rng.int(70) });
    lines.push(JSON.stringify({ arch: rng.pick(arches), nr: d.nr, args: d.args.map((a) => `0x${a.toString(16)}`), ip: `${d.instructionPointer}` }));
  }
  return lines.join('\n') + '\n';
}

const cases = input(3 * BATCH_SIZE + 17);

async function evalWith(argv: string[], command = (a: string[], io: ReturnType<typeof memoryIO>) => main(['eval', ...a], io)) {
  const io = memoryIO(cases);
  const code = await command(argv, io);
  assert.is(code, 0, io.err());
  return io.out();
}

for (const [name, file] of Object.entries(files)) {
  test(`interpreter, JIT and auto give byte-identical output: ${name}`, async () => {
    const interp = await evalWith([file, '--engine', 'interpreter']);
    assert.is(interp.split('\n').length - 1, cases.split('\n').filter((l) => l !== '').length);
    assert.match(interp, /"error":"line 6: missing \\"nr\\"/);
    assert.is(await evalWith([file, '--engine', 'jit']), interp);
    assert.is(await evalWith([file]), interp, 'auto (below the threshold: the interpreter throughout)');

    // auto with the threshold at one batch: the first batch by the interpreter, the rest by the JIT.
    const jitCases: number[] = [];
    const command = makeEvalCommand(interpreterEvaluator, {
      after: BATCH_SIZE,
      to: async (program, endian) => {
        const jit = await jitEvaluator(program, endian);
        assert.instance(jit, JitEvaluator);
        const spy: Evaluator = {
          evaluateBatch(inputs) {
            jitCases.push(inputs.length);
            return jit.evaluateBatch(inputs);
          },
        };
        return spy;
      },
    });
    assert.is(await evalWith([file], command), interp);
    assert.ok(jitCases.length === 3 && jitCases.reduce((a, b) => a + b) >= 2 * BATCH_SIZE, `JIT batches ${jitCases}`);
  });
}

test('--engine: unknown names are usage errors; auto switches after JIT_THRESHOLD cases', async () => {
  const io = memoryIO('');
  assert.is(await main(['eval', files['arg-compares (little)'], '--engine', 'fast'], io), 2);
  assert.match(io.err(), /--engine must be auto, interpreter or jit/);
  assert.ok(JIT_THRESHOLD >= BATCH_SIZE);
  const help = memoryIO();
  await main(['eval', '--help'], help);
  assert.match(help.out(), new RegExp(`JIT after\\s+${JIT_THRESHOLD} cases`));
});

test('bin/seccompile eval --engine jit (the built CLI loads the JIT from its chunk)', () => {
  const file = files['arg-compares (little)'];
  const some = cases.split('\n').slice(0, 300).join('\n') + '\n';
  const run = (engine: string) => execFileSync('bin/seccompile', ['eval', file, '--engine', engine], { input: some, encoding: 'utf8' });
  assert.is(run('jit'), run('interpreter'));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
