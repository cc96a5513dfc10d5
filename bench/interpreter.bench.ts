/**
 * Interpreter throughput (issue 2; the baseline the WebAssembly JIT of issue 4 is measured
 * against): evaluations per second of random valid programs on random seccomp_data, through the
 * raw `Interpreter.run` over a prepared DataView (the allocation-free hot path) and through
 * `InterpreterEvaluator.evaluateBatch` (encodes each SeccompData and decodes the action).
 */
import { performance } from 'node:perf_hooks';
import { Interpreter } from '../src/bpf/interpreter.js';
import { validate } from '../src/bpf/validate.js';
import { InterpreterEvaluator } from '../src/seccomp/evaluate.js';
import { encodeSeccompData } from '../src/seccomp/data.js';
import { makeRng, randomValidProgram, randomSeccompData } from '../test/support/random-program.js';
import type { BenchReport } from './run.js';

export default async function bench(): Promise<BenchReport> {
  const rows: Array<[string, number, number, number]> = [];
  for (const length of [16, 64, 400]) {
    const rng = makeRng(length);
    const programs = Array.from({ length: 50 }, () => validate(randomValidProgram(rng, { length })));
    const inputs = Array.from({ length: 1000 }, () => randomSeccompData(rng));
    const views = inputs.map((d) => new DataView(encodeSeccompData(d, 'little').buffer));
    const interpreters = programs.map((p) => new Interpreter(p));
    const evaluators = programs.map((p) => new InterpreterEvaluator(p, 'little'));
    let steps = 0;
    let runs = 0;
    const raw = (): void => {
      for (const it of interpreters) {
        for (const v of views) {
          it.run(v, true);
          steps += it.steps;
          runs++;
        }
      }
    };
    const batch = (): void => {
      for (const ev of evaluators) ev.evaluateBatch(inputs);
    };
    for (let warm = 0; warm < 3; warm++) raw(), batch();
    steps = runs = 0;
    let t = performance.now();
    for (let r = 0; r < 5; r++) raw();
    const rawMs = performance.now() - t;
    t = performance.now();
    for (let r = 0; r < 5; r++) batch();
    const batchMs = performance.now() - t;
    rows.push([`${length} insns`, steps / runs, runs / (rawMs / 1000), runs / (batchMs / 1000)]);
  }
  return {
    title: 'Interpreter: evaluations per second (random valid programs, 50 programs x 1000 inputs)',
    columns: ['program length', 'mean steps', 'Interpreter.run /s', 'evaluateBatch /s'],
    rows,
    notes: ['One core, in-process, after 3 warm-up rounds; 5 timed rounds each.'],
  };
}
