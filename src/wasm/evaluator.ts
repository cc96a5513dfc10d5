/**
 * The WebAssembly JIT as a seccomp `Evaluator` (src/seccomp/evaluate.ts), so batch consumers
 * (`seccompile eval`, policy tests) can swap it in for the interpreter: same inputs, same
 * `Evaluation`s (ret, decoded action, steps), computed in one call into WebAssembly per batch.
 */
import type { Program } from '../bpf/validate.js';
import { retToAction, type Action, type Endian } from '../seccomp/abi.js';
import { writeSeccompData, type SeccompData } from '../seccomp/data.js';
import type { Evaluation, Evaluator } from '../seccomp/evaluate.js';
import { compileWasm, type WasmFilter } from './jit.js';
import { RECORD_SIZE } from './emit.js';

export class JitEvaluator implements Evaluator {
  /** Decoded actions by return value: a filter returns few distinct values. */
  private readonly actions = new Map<number, Action>();

  constructor(readonly filter: WasmFilter) {}

  get endian(): Endian {
    return this.filter.endian;
  }

  evaluateBatch(inputs: readonly SeccompData[]): Evaluation[] {
    const area = this.filter.inputArea(inputs.length);
    const view = new DataView(area.buffer, area.byteOffset, area.byteLength);
    inputs.forEach((d, i) => writeSeccompData(view, d, this.endian, i * RECORD_SIZE));
    const { rets, steps } = this.filter.evaluateBatch(area, inputs.length, { steps: true });
    const out: Evaluation[] = new Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const ret = rets[i]!;
      let action = this.actions.get(ret);
      if (!action) this.actions.set(ret, (action = retToAction(ret)));
      out[i] = { ret, action, steps: steps![i]! };
    }
    return out;
  }
}

/** Compiles `program` and wraps it as an Evaluator. */
export async function jitEvaluator(program: Program, endian: Endian): Promise<JitEvaluator> {
  return new JitEvaluator(await compileWasm(program, { endian }));
}
