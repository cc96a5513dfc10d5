/**
 * Fuzzing the CLI in-process: a few hundred generated inputs per command (random, truncated and
 * bit-flipped filters for validate, disasm and eval; mutated listings for asm; mutated OCI
 * profiles for compile; malformed eval lines). Each must end with exit 0, 1 or 2, without a
 * stack trace, with one result line per eval case line, and within a generous time: an input
 * that takes longer gets its worker killed and fails the test, naming the seed and the input.
 *
 * The seed is fixed so a failure replays; FUZZ_SEED=N runs another sequence, FUZZ_COUNT=N
 * changes the number of inputs per command.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import type { FuzzCommand, FuzzMessage, FuzzTask } from '../support/fuzz-worker.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const COUNT = Number(process.env.FUZZ_COUNT ?? 250);
/** Per input: far above what any of them takes (milliseconds), only to catch a hang. */
const PER_INPUT_MS = 20_000;

const workerFile = pathToFileURL(join(import.meta.dirname, '..', 'support', 'fuzz-worker.ts')).href;
const tsx = import.meta.resolve('tsx/esm/api');
// The worker runs our TypeScript: tsx is registered in it first (a worker does not inherit --import).
const BOOT = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(workerFile)}); });`;

function fuzz(command: FuzzCommand, seed: number): Promise<{ problems: string[]; codes: Map<number, number> }> {
  return new Promise((resolve) => {
    const problems: string[] = [];
    const codes = new Map<number, number>();
    const task: FuzzTask = { command, seed, count: COUNT };
    const worker = new Worker(BOOT, { eval: true, workerData: task });
    let current: { index: number; input: string } | undefined;
    let timer: NodeJS.Timeout | undefined;
    const finish = (extra?: string) => {
      clearTimeout(timer);
      if (extra) problems.push(extra);
      void worker.terminate();
      resolve({ problems, codes });
    };
    worker.on('message', (m: FuzzMessage) => {
      if (m.kind === 'start') {
        current = m;
        clearTimeout(timer);
        timer = setTimeout(() => finish(`input ${m.index} (seed ${seed}) took over ${PER_INPUT_MS / 1000}s; killed: ${m.input}`), PER_INPUT_MS);
      } else if (m.kind === 'done') {
        clearTimeout(timer);
        codes.set(m.code, (codes.get(m.code) ?? 0) + 1);
        if (m.problem) problems.push(`input ${m.index} (seed ${seed}): ${m.problem}\n  input: ${current?.input}`);
      } else finish();
    });
    worker.on('error', (e) => finish(`the worker failed at input ${current?.index} (seed ${seed}): ${e.stack ?? e.message}\n  input: ${current?.input}`));
    worker.on('exit', () => finish());
  });
}

for (const [i, command] of (['validate', 'disasm', 'asm', 'eval', 'oci'] as const).entries()) {
  test(`fuzz ${command}: ${COUNT} inputs, exit 0/1/2, no stack trace, bounded time`, async () => {
    const { problems, codes } = await fuzz(command, SEED + i);
    assert.equal(problems.slice(0, 5), []);
    assert.is([...codes.values()].reduce((a, b) => a + b, 0), COUNT, 'every input ran');
    // The generators reach both sides: inputs the command accepts and inputs it refuses.
    assert.ok((codes.get(0) ?? 0) > 0 && (codes.get(1) ?? 0) > 0, `exit codes: ${JSON.stringify([...codes])}`);
  });
}

test.run();
