/**
 * The JIT: a validated classic-BPF program -> the module's instruction list (./emit.ts) -> its
 * binary (./binary.ts) -> an instance that evaluates batches of `seccomp_data` records. No text on
 * the way: `seccompile wasm` renders the same list as text (./wat.ts), and the tests have wabt
 * validate the binary and assemble that text to the same bytes (./wabt.ts).
 *
 * Memory layout of the instance, for a capacity of `cap` records (grown on demand, never shrunk),
 * from `base` = the module's `heap_base` (below it: the jump tables' data, see ./jump-table.ts):
 *
 *   [base, base+64*cap)             input records, 64 bytes each, in the program's byte order
 *   [base+64*cap, base+68*cap)      u32 return values
 *   [base+68*cap, base+72*cap)      u32 executed-instruction counts (only when asked for)
 *
 * A batch is one copy in (skipped when the caller filled `inputArea`), a few calls into
 * WebAssembly (in slices, so V8 can switch to optimized code between them: its tier-up never
 * replaces a function while it runs), and one copy out. Nothing is allocated per record.
 */
import type { Program } from '../bpf/validate.js';
import type { ByteOrder } from '../bpf/encode.js';
import { emitModule, RECORD_SIZE } from './emit.js';
import { encodeModule } from './binary.js';

export interface JitOptions {
  /** Byte order of the target machine (how records are laid out). Default little. */
  readonly endian?: ByteOrder;
  /** Jump tables in front of decision trees (see ./switch.ts); default true. */
  readonly jumpTables?: boolean;
}

export interface BatchOptions {
  /** Also return the number of instructions executed per record (as the interpreter's `steps`). */
  readonly steps?: boolean;
}

export interface BatchResult {
  /** The program's 32-bit return value for each record. */
  readonly rets: Uint32Array;
  /** Executed-instruction counts, when requested. */
  readonly steps?: Uint32Array;
}

/** A compiled filter. Not reentrant: one batch at a time (JavaScript is single-threaded anyway). */
export interface WasmFilter {
  readonly endian: ByteOrder;
  /** The WebAssembly binary, for inspection. */
  readonly binary: Uint8Array;
  /** Evaluates `count` records of 64 bytes each, read from `records` (at least 64*count bytes). */
  evaluateBatch(records: Uint8Array, count: number, options?: BatchOptions): BatchResult;
  /**
   * The input area itself, sized for `count` records: fill it and pass it to `evaluateBatch` to
   * skip the copy. Valid until a later call needs a larger area.
   */
  inputArea(count: number): Uint8Array;
}

interface Exports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  readonly heap_base: { readonly value: number };
  readonly run: (input: number, out: number, n: number) => void;
  readonly run_steps: (input: number, out: number, steps: number, n: number) => void;
}

/** The part of the WebAssembly JS API we use (the ES2022 lib this project compiles against has none). */
interface WebAssemblyApi {
  instantiate(binary: Uint8Array): Promise<{ instance: { exports: unknown } }>;
}
const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** Records per call into WebAssembly: small enough that V8's tier-up takes effect within a batch. */
const SLICE = 16384;

/** Compiles a validated `program` (the JIT trusts its jump offsets and operands) to a WasmFilter. */
export async function compileWasm(program: Program, options: JitOptions = {}): Promise<WasmFilter> {
  const endian = options.endian ?? 'little';
  const binary = encodeModule(emitModule(program, { endian, jumpTables: options.jumpTables }));
  const { instance } = await webAssembly.instantiate(binary);
  const ex = instance.exports as unknown as Exports;
  const base = ex.heap_base.value;
  let cap = 0;

  function ensure(count: number): void {
    if (count <= cap) return;
    let next = Math.max(1024, cap);
    while (next < count) next *= 2;
    const bytes = base + next * (RECORD_SIZE + 8);
    const have = ex.memory.buffer.byteLength;
    if (bytes > have) ex.memory.grow(Math.ceil((bytes - have) / 65536));
    cap = next;
  }

  return {
    endian,
    binary,
    inputArea(count) {
      ensure(count);
      return new Uint8Array(ex.memory.buffer, base, count * RECORD_SIZE);
    },
    evaluateBatch(records, count, batch = {}) {
      if (!Number.isInteger(count) || count < 0) throw new RangeError(`batch count must be a natural number, got ${count}`);
      if (records.length < count * RECORD_SIZE) {
        throw new RangeError(`batch of ${count} records needs ${count * RECORD_SIZE} bytes, got ${records.length}`);
      }
      ensure(count);
      const buffer = ex.memory.buffer;
      if (records.buffer !== buffer || records.byteOffset !== base) {
        new Uint8Array(buffer, base, count * RECORD_SIZE).set(records.subarray(0, count * RECORD_SIZE));
      }
      const outAt = base + cap * RECORD_SIZE;
      const stepsAt = outAt + cap * 4;
      for (let i = 0; i < count; i += SLICE) {
        const n = Math.min(SLICE, count - i);
        const at = base + i * RECORD_SIZE;
        if (batch.steps) ex.run_steps(at, outAt + i * 4, stepsAt + i * 4, n);
        else ex.run(at, outAt + i * 4, n);
      }
      const rets = new Uint32Array(buffer, outAt, count).slice();
      if (!batch.steps) return { rets };
      return { rets, steps: new Uint32Array(buffer, stepsAt, count).slice() };
    },
  };
}
