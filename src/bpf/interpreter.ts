/**
 * The classic BPF interpreter: runs a validated `Program` over a 64-byte data buffer (a
 * `struct seccomp_data`) exactly as the kernel does after converting it to eBPF
 * (net/core/filter.c bpf_convert_filter, kernel/bpf/core.c ___bpf_prog_run):
 *  - A and X start at 0; all arithmetic is 32-bit unsigned;
 *  - `ld [k]` reads a u32 at offset k in the data's byte order; `ld #len`/`ldx #len` give 64
 *    (seccomp_check_filter rewrites them to `#64`);
 *  - DIV by an X of 0 ends the program with return value 0 (bpf_convert_filter emits that check);
 *  - shifts by X use the count modulo 32 (the eBPF ALU32 `<<`/`>>` by register masks with 31, as
 *    x86's shl/shr do; test/kernel/interpreter.test.ts confirms it on the running kernel);
 *  - jumps are forward only (the validator guarantees it), so every run ends.
 *
 * The validator's guarantees are relied on, not re-checked: opcodes are the seccomp ones, loads
 * stay inside the data, scratch cells are written before they are read, jumps stay in range.
 * `Interpreter.run` is the hot path: it allocates nothing.
 */
import type { ByteOrder } from './encode.js';
import { BPF_MEMWORDS } from './isa.js';
import { DATA_SIZE, type Program } from './validate.js';

export interface RunResult {
  /** The u32 the program returned. */
  readonly ret: number;
  /** Instructions executed, the final return (or the dividing instruction) included. */
  readonly steps: number;
}

// The case labels are the kernel's BPF_* combinations (include/uapi/linux/filter.h) written as
// literals, not named constants: bundlers turn a module's top-level `const` into `var`, and V8
// then compares the opcode against each label in turn instead of building a jump table, about
// 3.5x slower. test/bpf/interpreter-build.test.ts checks the built file keeps literal labels.

/** A program prepared for many runs: its instructions unpacked into typed arrays. */
export class Interpreter {
  private readonly codes: Uint8Array;
  private readonly jts: Uint8Array;
  private readonly jfs: Uint8Array;
  private readonly ks: Uint32Array;
  private readonly mem = new Uint32Array(BPF_MEMWORDS);
  /** Instructions executed by the last `run`. */
  steps = 0;

  constructor(readonly program: Program) {
    const n = program.length;
    this.codes = new Uint8Array(n);
    this.jts = new Uint8Array(n);
    this.jfs = new Uint8Array(n);
    this.ks = new Uint32Array(n);
    program.forEach((ins, i) => {
      this.codes[i] = ins.code;
      this.jts[i] = ins.jt;
      this.jfs[i] = ins.jf;
      this.ks[i] = ins.k;
    });
  }

  /**
   * Runs the program over `data` (at least 64 bytes; words read with `littleEndian`) and
   * returns the u32 it returns; `steps` then holds the instructions executed.
   */
  run(data: DataView, littleEndian: boolean): number {
    if (data.byteLength < DATA_SIZE) throw new RangeError(`data is ${data.byteLength} bytes, a filter reads ${DATA_SIZE}`);
    const { codes, jts, jfs, ks, mem } = this;
    let a = 0;
    let x = 0;
    let pc = 0;
    let steps = 0;
    for (;;) {
      const k = ks[pc]!;
      steps++;
      switch (codes[pc]) {
        case 0x20: /* LD_W_ABS */ a = data.getUint32(k, littleEndian); break;
        case 0x80: /* LD_W_LEN */ a = DATA_SIZE; break;
        case 0x00: /* LD_IMM */ a = k; break;
        case 0x60: /* LD_MEM */ a = mem[k]!; break;
        case 0x01: /* LDX_IMM */ x = k; break;
        case 0x61: /* LDX_MEM */ x = mem[k]!; break;
        case 0x81: /* LDX_LEN */ x = DATA_SIZE; break;
        case 0x02: /* ST */ mem[k] = a; break;
        case 0x03: /* STX */ mem[k] = x; break;
        case 0x04: /* ADD_K */ a = (a + k) >>> 0; break;
        case 0x0c: /* ADD_X */ a = (a + x) >>> 0; break;
        case 0x14: /* SUB_K */ a = (a - k) >>> 0; break;
        case 0x1c: /* SUB_X */ a = (a - x) >>> 0; break;
        case 0x24: /* MUL_K */ a = Math.imul(a, k) >>> 0; break;
        case 0x2c: /* MUL_X */ a = Math.imul(a, x) >>> 0; break;
        case 0x34: /* DIV_K */ a = (a / k) >>> 0; break; // k != 0: the validator rejects a constant 0
        case 0x3c: /* DIV_X */
          if (x === 0) {
            this.steps = steps;
            return 0;
          }
          a = (a / x) >>> 0;
          break;
        case 0x44: /* OR_K */ a = (a | k) >>> 0; break;
        case 0x4c: /* OR_X */ a = (a | x) >>> 0; break;
        case 0x54: /* AND_K */ a = (a & k) >>> 0; break;
        case 0x5c: /* AND_X */ a = (a & x) >>> 0; break;
        case 0xa4: /* XOR_K */ a = (a ^ k) >>> 0; break;
        case 0xac: /* XOR_X */ a = (a ^ x) >>> 0; break;
        // JavaScript's << and >>> take the count modulo 32, as the kernel does for X (k < 32).
        case 0x64: /* LSH_K */ a = (a << k) >>> 0; break;
        case 0x6c: /* LSH_X */ a = (a << x) >>> 0; break;
        case 0x74: /* RSH_K */ a = a >>> k; break;
        case 0x7c: /* RSH_X */ a = a >>> x; break;
        case 0x84: /* NEG */ a = -a >>> 0; break;
        case 0x07: /* TAX */ x = a; break;
        case 0x87: /* TXA */ a = x; break;
        case 0x05: /* JA */ pc += k; break;
        case 0x15: /* JEQ_K */ pc += a === k ? jts[pc]! : jfs[pc]!; break;
        case 0x1d: /* JEQ_X */ pc += a === x ? jts[pc]! : jfs[pc]!; break;
        case 0x25: /* JGT_K */ pc += a > k ? jts[pc]! : jfs[pc]!; break;
        case 0x2d: /* JGT_X */ pc += a > x ? jts[pc]! : jfs[pc]!; break;
        case 0x35: /* JGE_K */ pc += a >= k ? jts[pc]! : jfs[pc]!; break;
        case 0x3d: /* JGE_X */ pc += a >= x ? jts[pc]! : jfs[pc]!; break;
        case 0x45: /* JSET_K */ pc += (a & k) !== 0 ? jts[pc]! : jfs[pc]!; break;
        case 0x4d: /* JSET_X */ pc += (a & x) !== 0 ? jts[pc]! : jfs[pc]!; break;
        case 0x06: /* RET_K */
          this.steps = steps;
          return k;
        case 0x16: /* RET_A */
          this.steps = steps;
          return a;
        default:
          // Unreachable for a validated Program.
          throw new Error(`interpreter: opcode 0x${codes[pc]!.toString(16)} at ${pc} is not a seccomp opcode`);
      }
      pc++;
    }
  }
}

const prepared = new WeakMap<Program, Interpreter>();

/** The (cached) prepared form of `program`. */
export function interpreterFor(program: Program): Interpreter {
  let it = prepared.get(program);
  if (!it) prepared.set(program, (it = new Interpreter(program)));
  return it;
}

/** Runs `program` once over `data` (a 64-byte struct seccomp_data in byte order `endian`). */
export function run(program: Program, data: DataView | Uint8Array, endian: ByteOrder): RunResult {
  const view = data instanceof DataView ? data : new DataView(data.buffer, data.byteOffset, data.byteLength);
  const it = interpreterFor(program);
  const ret = it.run(view, endian === 'little');
  return { ret, steps: it.steps };
}
