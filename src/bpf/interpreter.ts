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
 * What each opcode does is written once, in SEMANTICS, as JavaScript text over the registers `a`,
 * `x`, the scratch cells `mem`, the data `d` and the operand. From it two kinds of run function
 * are made:
 *  - a loop over the instructions unpacked into typed arrays, switching on the opcode, which runs
 *    every program first, and always one whose function would exceed SPECIALISE_BUDGET: V8
 *    optimizes no function of more than 60 KB of bytecode, and unoptimized, a specialised
 *    function runs at a tenth of the loop's speed. Its text is written into ./interpreter-loop.ts
 *    by scripts/gen-interpreter.ts (stale-checked), so no code is generated at run time for it;
 *  - once a program has run often enough to repay it (SPECIALISE_AFTER_RUNS_PER_INSN), a
 *    function of that program alone, made with `new Function`: one `case` per jump target in a
 *    `switch (pc)`, each instruction's code with its k written in as a number, falling through to
 *    the next instruction, so a step decodes nothing and only a taken jump dispatches (2-3x the
 *    loop on Docker's filter; bench/interpreter.bench.ts). Only numbers taken from the validated
 *    program are written into its text. Where code generation from strings is disallowed
 *    (`--disallow-code-generation-from-strings`), programs keep running in the loop.
 *
 * The validator's guarantees are relied on, not re-checked: opcodes are the seccomp ones, loads
 * stay inside the data, scratch cells are written before they are read, jumps stay in range.
 * `Interpreter.run` is the hot path: it allocates nothing.
 */
import type { ByteOrder } from './encode.js';
import { BPF_MEMWORDS } from './isa.js';
import { DATA_SIZE, type Program } from './validate.js';
import { runLoop } from './interpreter-loop.js';

export interface RunResult {
  /** The u32 the program returned. */
  readonly ret: number;
  /** Instructions executed, the final return (or the dividing instruction) included. */
  readonly steps: number;
}

/**
 * One opcode's effect, as JavaScript over `a`, `x`, `mem`, `d` (the DataView) and `le` (its
 * byte order), with `k` the operand's text (a number in a specialised function, the variable `k`
 * in the loop): a statement, a jump condition (taken when true), an unconditional jump, or the
 * value returned. `stop(v)` is the text that ends the run returning v.
 */
type Semantics =
  | { readonly kind: 'stmt'; readonly name: string; readonly code: (k: string, stop: (v: string) => string) => string }
  | { readonly kind: 'cond'; readonly name: string; readonly test: (k: string) => string }
  | { readonly kind: 'ja'; readonly name: string }
  | { readonly kind: 'ret'; readonly name: string; readonly value: (k: string) => string };

const stmt = (name: string, code: (k: string, stop: (v: string) => string) => string): Semantics => ({ kind: 'stmt', name, code });
const cond = (name: string, test: (k: string) => string): Semantics => ({ kind: 'cond', name, test });

/** Every seccomp opcode (include/uapi/linux/filter.h BPF_* combinations) and what it does. */
export const SEMANTICS: ReadonlyMap<number, Semantics> = new Map([
  [0x20, stmt('LD_W_ABS', (k) => `a = d.getUint32(${k}, le);`)],
  [0x80, stmt('LD_W_LEN', () => `a = ${DATA_SIZE};`)],
  [0x00, stmt('LD_IMM', (k) => `a = ${k};`)],
  [0x60, stmt('LD_MEM', (k) => `a = mem[${k}];`)],
  [0x01, stmt('LDX_IMM', (k) => `x = ${k};`)],
  [0x61, stmt('LDX_MEM', (k) => `x = mem[${k}];`)],
  [0x81, stmt('LDX_LEN', () => `x = ${DATA_SIZE};`)],
  [0x02, stmt('ST', (k) => `mem[${k}] = a;`)],
  [0x03, stmt('STX', (k) => `mem[${k}] = x;`)],
  [0x04, stmt('ADD_K', (k) => `a = (a + ${k}) >>> 0;`)],
  [0x0c, stmt('ADD_X', () => 'a = (a + x) >>> 0;')],
  [0x14, stmt('SUB_K', (k) => `a = (a - ${k}) >>> 0;`)],
  [0x1c, stmt('SUB_X', () => 'a = (a - x) >>> 0;')],
  [0x24, stmt('MUL_K', (k) => `a = Math.imul(a, ${k}) >>> 0;`)],
  [0x2c, stmt('MUL_X', () => 'a = Math.imul(a, x) >>> 0;')],
  // k != 0: the validator rejects a constant 0.
  [0x34, stmt('DIV_K', (k) => `a = (a / ${k}) >>> 0;`)],
  [0x3c, stmt('DIV_X', (_, stop) => `if (x === 0) { ${stop('0')} } a = (a / x) >>> 0;`)],
  [0x44, stmt('OR_K', (k) => `a = (a | ${k}) >>> 0;`)],
  [0x4c, stmt('OR_X', () => 'a = (a | x) >>> 0;')],
  [0x54, stmt('AND_K', (k) => `a = (a & ${k}) >>> 0;`)],
  [0x5c, stmt('AND_X', () => 'a = (a & x) >>> 0;')],
  [0xa4, stmt('XOR_K', (k) => `a = (a ^ ${k}) >>> 0;`)],
  [0xac, stmt('XOR_X', () => 'a = (a ^ x) >>> 0;')],
  // JavaScript's << and >>> take the count modulo 32, as the kernel does for X (k < 32).
  [0x64, stmt('LSH_K', (k) => `a = (a << ${k}) >>> 0;`)],
  [0x6c, stmt('LSH_X', () => 'a = (a << x) >>> 0;')],
  [0x74, stmt('RSH_K', (k) => `a = a >>> ${k};`)],
  [0x7c, stmt('RSH_X', () => 'a = a >>> x;')],
  [0x84, stmt('NEG', () => 'a = -a >>> 0;')],
  [0x07, stmt('TAX', () => 'x = a;')],
  [0x87, stmt('TXA', () => 'a = x;')],
  [0x05, { kind: 'ja', name: 'JA' }],
  [0x15, cond('JEQ_K', (k) => `a === ${k}`)],
  [0x1d, cond('JEQ_X', () => 'a === x')],
  [0x25, cond('JGT_K', (k) => `a > ${k}`)],
  [0x2d, cond('JGT_X', () => 'a > x')],
  [0x35, cond('JGE_K', (k) => `a >= ${k}`)],
  [0x3d, cond('JGE_X', () => 'a >= x')],
  [0x45, cond('JSET_K', (k) => `(a & ${k}) !== 0`)],
  [0x4d, cond('JSET_X', () => '(a & x) !== 0')],
  [0x06, { kind: 'ret', name: 'RET_K', value: (k) => k }],
  [0x16, { kind: 'ret', name: 'RET_A', value: () => 'a' }],
]);

/**
 * Estimated bytecode bytes of an instruction in a specialised function, by kind, and the most a
 * program's may add up to: V8 (Node 20) optimizes functions of up to 60 KB of bytecode. Measured
 * with programs of one kind each: a conditional jump going elsewhere both ways (if/else) stops
 * being optimized between 1,550 and 1,600 instructions, one with a fall-through side below 2,000.
 * Docker's default filter as libseccomp lays it out (1,426 instructions) comes to about 45,000.
 */
const COST = { both: 40, one: 30, stmt: 20, ret: 16 } as const;
export const SPECIALISE_BUDGET = 54_000;

/** Whether `program` gets a function of its own (see SPECIALISE_BUDGET). */
export function specialisable(program: Program): boolean {
  let cost = 0;
  program.forEach((ins, pc) => {
    const s = semanticsOf(ins.code, pc);
    cost += s.kind === 'cond' ? (ins.jt !== 0 && ins.jf !== 0 ? COST.both : COST.one) : s.kind === 'ret' ? COST.ret : s.kind === 'ja' ? COST.one : COST.stmt;
  });
  return cost <= SPECIALISE_BUDGET;
}

/** A run function: returns the program's u32 and leaves the steps taken in `out.steps`. */
type RunFn = (d: DataView, le: boolean, mem: Uint32Array, out: { steps: number }) => number;

const stop = (v: string): string => `out.steps = steps; return ${v};`;

function semanticsOf(code: number, pc: number): Semantics {
  const s = SEMANTICS.get(code);
  // Unreachable for a validated Program.
  if (!s) throw new Error(`interpreter: opcode 0x${code.toString(16)} at ${pc} is not a seccomp opcode`);
  return s;
}

/** The text of a function running `program` alone (see the header). */
export function specialisedSource(program: Program): string {
  const targets = new Set<number>([0]);
  program.forEach((ins, pc) => {
    const s = semanticsOf(ins.code, pc);
    if (s.kind === 'ja') targets.add(pc + 1 + ins.k);
    if (s.kind === 'cond') targets.add(pc + 1 + ins.jt).add(pc + 1 + ins.jf);
  });
  const out = ['let a = 0, x = 0, pc = 0, steps = 0;', 'for (;;) {', 'switch (pc) {'];
  program.forEach((ins, pc) => {
    const s = semanticsOf(ins.code, pc);
    const k = String(ins.k >>> 0);
    if (targets.has(pc)) out.push(`case ${pc}:`);
    const to = (n: number) => `{ pc = ${pc + 1 + n}; continue; }`;
    switch (s.kind) {
      case 'stmt':
        out.push(`steps++; ${s.code(k, stop)}`);
        break;
      case 'ja':
        out.push(`steps++; ${to(ins.k)}`);
        break;
      case 'ret':
        out.push(`steps++; ${stop(s.value(k))}`);
        break;
      case 'cond': {
        const test = s.test(k);
        if (ins.jt === ins.jf) out.push(ins.jt === 0 ? 'steps++;' : `steps++; ${to(ins.jt)}`);
        else if (ins.jt === 0) out.push(`steps++; if (!(${test})) ${to(ins.jf)}`);
        else if (ins.jf === 0) out.push(`steps++; if (${test}) ${to(ins.jt)}`);
        else out.push(`steps++; if (${test}) ${to(ins.jt)} else ${to(ins.jf)}`);
        break;
      }
    }
  });
  // A validated program ends in a return; the default is for a pc no case has.
  out.push(`default: throw new Error('interpreter: no instruction ' + pc);`, '}', '}');
  return out.join('\n');
}

/**
 * The text of the loop that runs any program, unpacked into `codes`, `ks`, `jts`, `jfs`. Its
 * `case` labels are the opcodes as number literals, so V8 compiles the switch to a jump table.
 */
export function loopSource(): string {
  const out = ['let a = 0, x = 0, pc = 0, steps = 0;', 'for (;;) {', 'const k = ks[pc];', 'steps++;', 'switch (codes[pc]) {'];
  for (const [code, s] of SEMANTICS) {
    const label = `case ${code}: /* ${s.name} */`;
    switch (s.kind) {
      case 'stmt':
        out.push(`${label} ${s.code('k', stop)} break;`);
        break;
      case 'ja':
        out.push(`${label} pc += k; break;`);
        break;
      case 'ret':
        out.push(`${label} ${stop(s.value('k'))}`);
        break;
      case 'cond':
        out.push(`${label} pc += ${s.test('k')} ? jts[pc] : jfs[pc]; break;`);
        break;
    }
  }
  out.push(`default: throw new Error('interpreter: opcode ' + codes[pc] + ' at ' + pc + ' is not a seccomp opcode');`, '}', 'pc++;', '}');
  return out.join('\n');
}

/** The loop's parameters and their types, for the generated module (scripts/gen-interpreter.ts). */
export const LOOP_PARAMETERS = [
  ['codes', 'Uint8Array'],
  ['ks', 'Uint32Array'],
  ['jts', 'Uint8Array'],
  ['jfs', 'Uint8Array'],
  ['d', 'DataView'],
  ['le', 'boolean'],
  ['mem', 'Uint32Array'],
  ['out', '{ steps: number }'],
] as const;

/** Whether `new Function` works here; false once it threw (code generation disallowed). */
let canGenerate = true;

/** The function of `program` alone, or undefined where code generation from strings is disallowed. */
function specialisedFn(program: Program): RunFn | undefined {
  if (!canGenerate) return undefined;
  try {
    return new Function('d', 'le', 'mem', 'out', specialisedSource(program)) as RunFn;
  } catch (e) {
    if (!(e instanceof EvalError)) throw e;
    canGenerate = false;
    return undefined;
  }
}


/** The loop over one program's unpacked instructions. */
function loopFor(program: Program): RunFn {
  const n = program.length;
  const codes = new Uint8Array(n);
  const jts = new Uint8Array(n);
  const jfs = new Uint8Array(n);
  const ks = new Uint32Array(n);
  program.forEach((ins, i) => {
    semanticsOf(ins.code, i);
    codes[i] = ins.code;
    jts[i] = ins.jt;
    jfs[i] = ins.jf;
    ks[i] = ins.k;
  });
  return (d, le, mem, out) => runLoop(codes, ks, jts, jfs, d, le, mem, out);
}

/** A program prepared for many runs (see the header for how). */
/**
 * Runs of the loop per instruction of a program before it gets a function of its own: making one
 * costs about what the loop spends on this many runs (parsing and compiling grow with the program),
 * so a program run a few times (`seccompile eval` of a few lines, jail's check of its policy) never
 * pays for it, and one run often soon runs specialised.
 */
export const SPECIALISE_AFTER_RUNS_PER_INSN = 32;

export class Interpreter {
  private fn: RunFn;
  private isSpecialised: boolean;
  /** Runs left before specialising; 0 when it never will (or has). */
  private runsLeft: number;
  private readonly mem = new Uint32Array(BPF_MEMWORDS);
  /** Instructions executed by the last `run`. */
  steps = 0;

  /**
   * `specialise`: true runs `program` by a function of its own from the start, false always by the
   * loop; by default the loop runs it until SPECIALISE_AFTER_RUNS_PER_INSN runs per instruction,
   * and then a function of its own if it is `specialisable`. Every way gives the same results
   * (tests run both).
   */
  constructor(
    readonly program: Program,
    specialise?: boolean,
  ) {
    const own = specialise === true ? specialisedFn(program) : undefined;
    if (specialise === true && !own) throw new Error('interpreter: a program of its own needs code generation from strings, which this process disallows');
    this.isSpecialised = own !== undefined;
    this.fn = own ?? loopFor(program);
    this.runsLeft = specialise === undefined && specialisable(program) ? Math.max(1, program.length * SPECIALISE_AFTER_RUNS_PER_INSN) : 0;
  }

  /** Whether runs now go through a function made for this program. */
  get specialised(): boolean {
    return this.isSpecialised;
  }

  /**
   * Runs the program over `data` (at least 64 bytes; words read with `littleEndian`) and
   * returns the u32 it returns; `steps` then holds the instructions executed.
   */
  run(data: DataView, littleEndian: boolean): number {
    if (data.byteLength < DATA_SIZE) throw new RangeError(`data is ${data.byteLength} bytes, a filter reads ${DATA_SIZE}`);
    if (this.runsLeft > 0 && --this.runsLeft === 0) {
      const own = specialisedFn(this.program);
      if (own) {
        this.fn = own;
        this.isSpecialised = true;
      }
    }
    return this.fn(data, littleEndian, this.mem, this);
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
