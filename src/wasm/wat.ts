/**
 * Classic BPF -> WebAssembly text. The module exports `memory`, `heap_base` (an i32 global: the
 * first free byte; below it, the jump tables' step counts) and two batch functions that run the
 * program once per 64-byte `seccomp_data` record (records and results go at or above heap_base):
 *
 *   run(in, out, n)              u32 at out + 4i = return value for the record at in + 64i
 *   run_steps(in, out, steps, n) the same, plus the number of instructions executed
 *
 * Registers become locals: A, X, and one local per scratch cell M[k] the program uses. Control
 * flow follows ./layout.ts: a block per jump target, the whole program inlined into the batch
 * loop. Only when asked to cut it into chunks (`maxLabels`, for wabt.js), chunk 0 is inlined and
 * later chunks are functions `$cN` (and `$cN_steps`) entered by (tail) calls that pass the
 * registers along. Decision trees get a jump table in front (./switch.ts, ./jump-table.ts). The text is flat (no folded expressions, one instruction a
 * line): the subset ./binary.ts assembles.
 *
 * Semantics follow the kernel's classic BPF (kernel/bpf/core.c, include/uapi/linux/filter.h),
 * as the interpreter implements them: unsigned 32-bit arithmetic; A, X and the used M[k] start
 * at 0 for every record; `div x`/`mod x` with X = 0 end the program with return value 0;
 * `ld [k]` reads the 32-bit word at offset k of the record in the program's byte order
 * (WebAssembly memory is little-endian, so big-endian targets byte-swap after the load); `ld #len`
 * is 64. Step counts are added per straight-line run, flushed before every transfer of control,
 * so they match an interpreter that counts each executed instruction, the final `ret` included.
 */
import { BPF_ALU_OP, BPF_CLASS, BPF_MEMWORDS, BPF_JMP_OP, BPF_MODE, BPF_RVAL, BPF_MISCOP, BPF_SRC } from '../bpf/isa.js';
import { classOf, modeOf, opOf, srcOf, rvalOf, miscOpOf, opcodeInfo, type Insn } from '../bpf/isa.js';
import type { ByteOrder } from '../bpf/encode.js';
import { formatInsn } from '../bpf/disasm.js';
import { DATA_SIZE, type Program } from '../bpf/validate.js';
import { layout, type Chunk, type Layout } from './layout.js';
import { findSwitches, type SwitchTable } from './switch.js';
import { BSWAP32, CONDITIONS, WASM_ALU, type Condition } from './ops.js';
import { dataSegments, jumpTable, tableData, type TableData, type TableHost } from './jump-table.js';

export interface WatOptions {
  /** Byte order of the machine the filter targets; records are laid out in it. Default little. */
  readonly endian?: ByteOrder;
  /** One comment per BPF instruction (default true; the JIT turns them off to parse faster). */
  readonly comments?: boolean;
  /**
   * Labels per chunk (default: no limit, one chunk). WABT_MAX_LABELS keeps the text within what
   * wabt.js parses; tests go lower to exercise chunking on small programs.
   */
  readonly maxLabels?: number;
  /** Jump tables in front of decision trees (./switch.ts; default true). */
  readonly jumpTables?: boolean;
}

/** Size of one input record: `struct seccomp_data`. */
export const RECORD_SIZE = DATA_SIZE;

const hex = (k: number): string => (k < 0x10000 ? String(k) : `0x${k.toString(16)}`);

/** The WebAssembly text of the module that evaluates `insns` (the validator's guarantees are relied on). */
export function toWat(insns: Program, options: WatOptions = {}): string {
  const switches = options.jumpTables === false ? [] : findSwitches(insns);
  const plan = layout(insns, options.maxLabels, switches.flatMap((t) => [...new Set(t.exits)].map((e) => [t.root, e] as const)));
  const tables = new Map(switches.map((t) => [t.root, t]));
  const loaded = new Set<number>();
  const used = new Set<number>();
  for (const ins of insns) {
    const cls = classOf(ins.code);
    const memOp = (cls === BPF_CLASS.LD || cls === BPF_CLASS.LDX) && modeOf(ins.code) === BPF_MODE.MEM;
    if (memOp) loaded.add(ins.k);
    if (memOp || cls === BPF_CLASS.ST || cls === BPF_CLASS.STX) used.add(ins.k);
  }
  const cells = [...used].sort((a, b) => a - b).map((k) => `$m${k}`);
  // Static data: the jump tables' step counts and return values, from address 0; records go after.
  const data = tableData(insns, switches, RECORD_SIZE);
  const heapBase = data.end;
  const out: string[] = [
    `;; classic BPF program: ${insns.length} instructions in ${plan.chunks.length} chunk(s); ` +
      `${options.endian ?? 'little'}-endian seccomp_data records of ${RECORD_SIZE} bytes`,
    '(module',
    `  (memory (export "memory") ${Math.max(1, Math.ceil(heapBase / PAGE))})`,
  ];
  const locals = (names: readonly string[]) => (names.length ? [`    ${names.map((l) => `(local ${l} i32)`).join(' ')}`] : []);
  const swap = options.endian === 'big' ? ['$w'] : []; // scratch for byte-swapping loads
  for (const steps of [false, true]) {
    const params = ['$in', '$out', ...(steps ? ['$stepsOut'] : []), '$n'];
    out.push(`  (func (export "${steps ? 'run_steps' : 'run'}") ${params.map((p) => `(param ${p} i32)`).join(' ')}`);
    out.push(...locals(['$A', '$X', ...swap, ...(steps ? ['$steps'] : []), ...cells]));
    out.push('    block $done', '    local.get $n', '    i32.eqz', '    br_if $done', '    loop $next');
    const reset = ['$A', '$X', ...(steps ? ['$steps'] : []), ...cells.filter((c) => loaded.has(Number(c.slice(2))))];
    for (const r of reset) out.push('    i32.const 0', `    local.set ${r}`);
    out.push('    local.get $out', '    block $ret (result i32)');
    new Emitter(insns, plan, tables, data, cells, out, steps, true, options).chunk(plan.chunks[0]!);
    out.push('    end ;; $ret', '    i32.store');
    if (steps) out.push('    local.get $stepsOut', '    local.get $steps', '    i32.store');
    const advance = [['$in', RECORD_SIZE], ['$out', 4], ...(steps ? [['$stepsOut', 4] as const] : [])] as const;
    for (const [p, d] of advance) out.push(`    local.get ${p}`, `    i32.const ${d}`, '    i32.add', `    local.set ${p}`);
    out.push('    local.get $n', '    i32.const 1', '    i32.sub', '    local.tee $n', '    br_if $next');
    out.push('    end ;; $next', '    end ;; $done', '  )');
    for (const chunk of plan.chunks.slice(1)) {
      const name = chunkFunc(chunk.index, steps);
      const cparams = chunkParams(steps, cells).map((p) => `(param ${p} i32)`).join(' ');
      out.push(`  (func ${name} ${cparams} (result ${steps ? 'i32 i32' : 'i32'})`, ...locals(swap));
      new Emitter(insns, plan, tables, data, cells, out, steps, false, options).chunk(chunk);
      out.push('  )');
    }
  }
  out.push(`  (global (export "heap_base") i32 (i32.const ${heapBase}))`);
  out.push(...dataSegments(data));
  out.push(')', '');
  return out.join('\n');
}

const PAGE = 65536;

const chunkFunc = (index: number, steps: boolean) => `$c${index}${steps ? '_steps' : ''}`;
/** Parameters of a chunk function, in call order: the record, the registers, the entry index. */
const chunkParams = (steps: boolean, cells: readonly string[]) => [
  '$in',
  '$A',
  '$X',
  '$t',
  ...(steps ? ['$steps'] : []),
  ...cells,
];

/**
 * Emits the body of one chunk: inline in the batch loop (chunk 0, ending with `br $ret`) or as
 * the body of its chunk function (ending with `return`).
 */
class Emitter implements TableHost {
  /** Instructions executed on the current straight-line path and not yet added to $steps. */
  pending = 0;

  constructor(
    private readonly insns: readonly Insn[],
    readonly plan: Layout,
    private readonly tables: ReadonlyMap<number, SwitchTable>,
    private readonly data: TableData,
    private readonly cells: readonly string[],
    private readonly out: string[],
    readonly steps: boolean,
    private readonly inline: boolean,
    private readonly options: WatOptions,
  ) {}

  chunk(chunk: Chunk): void {
    for (let i = chunk.labels.length - 1; i >= 0; i--) this.line(`block $pc${chunk.labels[i]}`);
    if (chunk.entries.length >= 2) {
      this.line('local.get $t', `br_table ${chunk.entries.map((e) => `$pc${e}`).join(' ')}`);
    } else if (chunk.entries.length === 1 && chunk.entries[0] !== chunk.start) {
      this.line(`br $pc${chunk.entries[0]}`);
    }
    this.pending = 0;
    for (let pc = chunk.start; pc < chunk.end; pc++) {
      if (this.plan.isLabel[pc]) {
        this.flush(); // every path into a label has its steps counted
        this.line(`end ;; $pc${pc}`);
      }
      this.insn(pc);
    }
    // An ordinary instruction at the end of the chunk falls into the next one.
    const last = chunk.end - 1;
    if (chunk.end < this.insns.length && opcodeInfo(this.insns[last]!.code)?.jump === 'none') {
      this.flush();
      this.goto(last, chunk.end);
    }
  }

  line(...lines: string[]): void {
    for (const l of lines) this.out.push(`    ${l}`);
  }

  private flush(): void {
    if (this.steps && this.pending > 0) {
      this.line('local.get $steps', `i32.const ${this.pending}`, 'i32.add', 'local.set $steps');
    }
    this.pending = 0;
  }

  /** Transfers control from `from` to `target` (after the caller flushed the step count). */
  goto(from: number, target: number): void {
    const { chunkOf, isLabel, chunks } = this.plan;
    const here = chunkOf[from]!;
    const there = chunkOf[target]!;
    if (there === here) {
      if (target !== from + 1) this.line(`br $pc${target}`);
      else if (!isLabel[target]) return; // plain fall-through: pending keeps counting
      this.pending = 0;
      return;
    }
    const args = chunkParams(this.steps, this.cells).map((p) => `local.get ${p}`);
    args[3] = `i32.const ${chunks[there]!.entries.indexOf(target)}`;
    this.line(...args);
    if (!this.inline) this.line(`return_call ${chunkFunc(there, this.steps)}`);
    else {
      this.line(`call ${chunkFunc(there, this.steps)}`);
      if (this.steps) this.line('local.set $steps');
      this.line('br $ret');
    }
    this.pending = 0;
  }

  /** Ends the program with the i32 on the stack as its return value (steps already flushed). */
  finish(): void {
    if (this.inline) this.line('br $ret');
    else if (this.steps) this.line('local.get $steps', 'return');
    else this.line('return');
  }

  /** Whether a jump from `from` to `target` is a fall-through that needs no code. */
  private fallsThrough(from: number, target: number): boolean {
    return target === from + 1 && this.plan.chunkOf[target] === this.plan.chunkOf[from];
  }

  private insn(pc: number): void {
    const ins = this.insns[pc]!;
    const { code, k } = ins;
    if (this.options.comments !== false) this.out.push(`    ;; ${pc}: ${formatInsn(ins, pc, this.insns.length)}`);
    const table = this.tables.get(pc);
    if (table) jumpTable(this, pc, table, this.data);
    this.pending++;
    const operand = srcOf(code) === BPF_SRC.X ? 'local.get $X' : `i32.const ${hex(k)}`;
    switch (classOf(code)) {
      case BPF_CLASS.LD:
      case BPF_CLASS.LDX: {
        const dst = classOf(code) === BPF_CLASS.LD ? '$A' : '$X';
        this.line(...this.load(ins, pc), `local.set ${dst}`);
        return;
      }
      case BPF_CLASS.ST:
        if (k >= BPF_MEMWORDS) throw unsupported(pc, ins);
        this.line('local.get $A', `local.set $m${k}`);
        return;
      case BPF_CLASS.STX:
        if (k >= BPF_MEMWORDS) throw unsupported(pc, ins);
        this.line('local.get $X', `local.set $m${k}`);
        return;
      case BPF_CLASS.ALU:
        this.alu(pc, ins, operand);
        return;
      case BPF_CLASS.JMP: {
        this.flush();
        if (opOf(code) === BPF_JMP_OP.JA) return this.goto(pc, pc + 1 + k);
        const test = CONDITIONS[opOf(code)];
        if (!test) throw unsupported(pc, ins);
        this.line('local.get $A', operand);
        return this.branch(pc, test, pc + 1 + ins.jt, pc + 1 + ins.jf);
      }
      case BPF_CLASS.RET:
        this.flush();
        if (rvalOf(code) === BPF_RVAL.K) this.line(`i32.const ${hex(k)}`);
        else if (rvalOf(code) === BPF_RVAL.A) this.line('local.get $A');
        else throw unsupported(pc, ins);
        this.finish();
        return;
      case BPF_CLASS.MISC:
        if (miscOpOf(code) === BPF_MISCOP.TAX) this.line('local.get $A', 'local.set $X');
        else if (miscOpOf(code) === BPF_MISCOP.TXA) this.line('local.get $X', 'local.set $A');
        else throw unsupported(pc, ins);
        return;
    }
  }

  /** Two-way branch on `test` of A and the operand (on the stack): true -> `yes`, false -> `no`. */
  private branch(pc: number, test: Condition, yes: number, no: number): void {
    const { chunkOf } = this.plan;
    const local = (t: number) => chunkOf[t] === chunkOf[pc] && !this.fallsThrough(pc, t);
    if (yes === no) {
      this.line('drop', 'drop');
      return this.goto(pc, no);
    }
    // Branch away on the condition, then continue to the other side (often a fall-through).
    let away = yes;
    let rest = no;
    if (this.fallsThrough(pc, yes)) {
      this.line(...test.negated);
      away = no;
      rest = yes;
    } else this.line(...test.holds);
    if (local(away)) {
      this.line(`br_if $pc${away}`);
    } else {
      this.line('if');
      this.goto(pc, away);
      this.line('end');
    }
    this.goto(pc, rest);
  }

  private load(ins: Insn, pc: number): string[] {
    const { code, k } = ins;
    switch (modeOf(code)) {
      case BPF_MODE.IMM:
        return [`i32.const ${hex(k)}`];
      case BPF_MODE.LEN:
        return [`i32.const ${RECORD_SIZE}`];
      case BPF_MODE.MEM:
        if (k >= BPF_MEMWORDS) throw unsupported(pc, ins);
        return [`local.get $m${k}`];
      case BPF_MODE.ABS: {
        if (code !== (BPF_CLASS.LD | BPF_MODE.ABS) || k % 4 !== 0 || k >= RECORD_SIZE) {
          throw unsupported(pc, ins);
        }
        const load = ['local.get $in', k ? `i32.load offset=${k}` : 'i32.load'];
        return this.options.endian === 'big' ? [...load, ...BSWAP32] : load;
      }
      default:
        throw unsupported(pc, ins);
    }
  }

  private alu(pc: number, ins: Insn, operand: string): void {
    const { code, k } = ins;
    const op = opOf(code);
    if (op === BPF_ALU_OP.NEG) {
      this.line('i32.const 0', 'local.get $A', 'i32.sub', 'local.set $A');
      return;
    }
    const byX = srcOf(code) === BPF_SRC.X;
    if (op === BPF_ALU_OP.DIV || op === BPF_ALU_OP.MOD) {
      if (!byX && k === 0) throw unsupported(pc, ins);
      if (byX) {
        // kernel/bpf/core.c: classic division by X = 0 returns 0 from the program.
        this.flush();
        this.line('local.get $X', 'i32.eqz', 'if', 'i32.const 0');
        this.finish();
        this.line('end');
      }
    }
    if ((op === BPF_ALU_OP.LSH || op === BPF_ALU_OP.RSH) && !byX && k >= 32) throw unsupported(pc, ins);
    const wasmOp = WASM_ALU[op];
    if (!wasmOp) throw unsupported(pc, ins);
    this.line('local.get $A', operand, wasmOp, 'local.set $A');
  }
}

function unsupported(pc: number, ins: Insn): Error {
  return new Error(`wasm: cannot translate instruction ${pc} (${formatInsn(ins, pc, Infinity)}): not a validated seccomp program`);
}
