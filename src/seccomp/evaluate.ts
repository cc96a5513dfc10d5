/**
 * Evaluating a filter on system calls: the seccomp view over the generic interpreter (the
 * returned u32 decoded into an `Action`, as kernel/seccomp.c __seccomp_filter does), and the
 * `Evaluator` interface through which batch consumers (the `eval` command, policy tests) run
 * many inputs, so a faster engine (the WebAssembly JIT) can stand in for the interpreter.
 */
import { Interpreter, interpreterFor } from '../bpf/interpreter.js';
import type { Program } from '../bpf/validate.js';
import { retToAction, SECCOMP_DATA, type Action, type Endian } from './abi.js';
import { writeSeccompData, type SeccompData } from './data.js';

export interface Evaluation {
  /** The u32 the filter returned. */
  readonly ret: number;
  /** What the kernel does with it (ERRNO data capped at MAX_ERRNO, unknown actions = kill_process). */
  readonly action: Action;
  /** Instructions executed, the final return included. */
  readonly steps: number;
}

/** Runs one program over many inputs; results[i] answers inputs[i]. */
export interface Evaluator {
  evaluateBatch(inputs: readonly SeccompData[]): Evaluation[];
}

/** Evaluates `program` on one system call described by `data`, in byte order `endian`. */
export function evaluate(program: Program, data: SeccompData, endian: Endian): Evaluation {
  return new InterpreterEvaluator(program, endian, interpreterFor(program)).evaluateOne(data);
}

/** The interpreter as an Evaluator: one reused 64-byte buffer, no per-input allocation besides the result. */
export class InterpreterEvaluator implements Evaluator {
  private readonly view = new DataView(new ArrayBuffer(SECCOMP_DATA.size));

  constructor(
    readonly program: Program,
    readonly endian: Endian,
    private readonly interpreter: Interpreter = new Interpreter(program),
  ) {}

  evaluateOne(data: SeccompData): Evaluation {
    writeSeccompData(this.view, data, this.endian);
    const ret = this.interpreter.run(this.view, this.endian === 'little');
    return { ret, action: retToAction(ret), steps: this.interpreter.steps };
  }

  evaluateBatch(inputs: readonly SeccompData[]): Evaluation[] {
    return inputs.map((d) => this.evaluateOne(d));
  }
}
