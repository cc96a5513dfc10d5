/**
 * Classic BPF -> the JIT's WebAssembly module (./instructions.ts), which ./binary.ts encodes and
 * ./wat.ts renders. The module exports `memory`, `heap_base` (an i32 global: the first free
 * byte; below it, the jump tables' data) and two batch functions that run the program once per
 * 64-byte `seccomp_data` record (records and results go at or above heap_base):
 *
 *   run(in, out, n)              u32 at out + 4i = return value for the record at in + 64i
 *   run_steps(in, out, steps, n) the same, plus the number of instructions executed
 *
 * Registers become locals: A, X, and one local per scratch cell M[k] the program uses. Control
 * flow follows ./layout.ts: a block per jump target, the whole program inlined into the batch
 * loop, so every jump is a `br` and no path makes a call. Decision trees get a jump table in
 * front (./switch.ts, ./jump-table.ts).
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
import { classOf, modeOf, opOf, srcOf, rvalOf, miscOpOf, type Insn } from '../bpf/isa.js';
import type { ByteOrder } from '../bpf/encode.js';
import { formatInsn } from '../bpf/disasm.js';
import { DATA_SIZE, type Program } from '../bpf/validate.js';
import { Code, type Instr, type WasmFunc, type WasmModule } from './instructions.js';
import { jumpTargets } from './layout.js';
import { findSwitches, type SwitchTable } from './switch.js';
import { BSWAP32, CONDITIONS, WASM_ALU, type Condition } from './ops.js';
import { dataSegments, jumpTable, tableData, type TableData, type TableHost } from './jump-table.js';

export interface EmitOptions {
  /** Byte order of the machine the filter targets; records are laid out in it. Default little. */
  readonly endian?: ByteOrder;
  /** Jump tables in front of decision trees (./switch.ts; default true). */
  readonly jumpTables?: boolean;
}

/** Size of one input record: `struct seccomp_data`. */
export const RECORD_SIZE = DATA_SIZE;

const PAGE = 65536;

/** The module that evaluates `insns` (the validator's guarantees are relied on). */
export function emitModule(insns: Program, options: EmitOptions = {}): WasmModule {
  const endian = options.endian ?? 'little';
  const switches = options.jumpTables === false ? [] : findSwitches(insns);
  const edges = switches.flatMap((t) => [...new Set(t.exits)].map((e) => [t.root, e] as const));
  const program: Translation = {
    insns,
    isLabel: jumpTargets(insns, edges),
    tables: new Map(switches.map((t) => [t.root, t])),
    // Static data: the jump tables' step counts and return values, from address 0; records go after.
    data: tableData(insns, switches, RECORD_SIZE),
    endian,
  };
  const loaded = new Set<number>();
  const used = new Set<number>();
  for (const ins of insns) {
    const cls = classOf(ins.code);
    const memOp = (cls === BPF_CLASS.LD || cls === BPF_CLASS.LDX) && modeOf(ins.code) === BPF_MODE.MEM;
    if (memOp) loaded.add(ins.k);
    if (memOp || cls === BPF_CLASS.ST || cls === BPF_CLASS.STX) used.add(ins.k);
  }
  const cells = [...used].sort((a, b) => a - b);
  // Cells read before written on some path must be 0 for each record; the others need no reset.
  const reset = cells.filter((k) => loaded.has(k)).map((k) => `$m${k}`);
  const swap = endian === 'big' ? ['$w'] : []; // scratch for byte-swapping loads
  // The step-counting variant last: it fills in the jump tables' step counts.
  const funcs = [false, true].map((steps): WasmFunc => {
    const params = ['$in', '$out', ...(steps ? ['$stepsOut'] : []), '$n'];
    const regs = ['$A', '$X', ...(steps ? ['$steps'] : [])];
    const locals = [...regs.slice(0, 2), ...swap, ...regs.slice(2), ...cells.map((k) => `$m${k}`)];
    const code = new Code();
    code.block('$done').get('$n').op('i32.eqz').brIf('$done').loop('$next');
    for (const r of [...regs, ...reset]) code.const(0).set(r);
    code.get('$out').block('$ret', true);
    new Emitter(program, code, steps).program();
    code.end().mem('i32.store');
    if (steps) code.get('$stepsOut').get('$steps').mem('i32.store');
    const advance = [['$in', RECORD_SIZE], ['$out', 4], ...(steps ? [['$stepsOut', 4] as const] : [])] as const;
    for (const [p, d] of advance) code.get(p).const(d).op('i32.add').set(p);
    code.get('$n').const(1).op('i32.sub').tee('$n').brIf('$next');
    code.end().end();
    return { exportName: steps ? 'run_steps' : 'run', params, locals, body: code.instrs };
  });
  const heapBase = program.data.end;
  return {
    comment: `classic BPF program: ${insns.length} instructions; ${endian}-endian seccomp_data records of ${RECORD_SIZE} bytes`,
    memory: { exportName: 'memory', pages: Math.max(1, Math.ceil(heapBase / PAGE)) },
    funcs,
    globals: [{ exportName: 'heap_base', value: heapBase }],
    data: dataSegments(program.data),
  };
}

/** What the translation of one program needs, shared by both batch functions. */
interface Translation {
  readonly insns: readonly Insn[];
  /** pc -> 1 for jump targets (./layout.ts). */
  readonly isLabel: Uint8Array;
  readonly tables: ReadonlyMap<number, SwitchTable>;
  readonly data: TableData;
  readonly endian: ByteOrder;
}

/** Emits the program inside the batch loop, ending each path with `br $ret`. */
class Emitter implements TableHost {
  /** Instructions executed on the current straight-line path and not yet added to $steps. */
  pending = 0;

  constructor(
    private readonly t: Translation,
    readonly code: Code,
    readonly steps: boolean,
  ) {}

  program(): void {
    const { insns, isLabel } = this.t;
    for (let pc = insns.length - 1; pc > 0; pc--) if (isLabel[pc]) this.code.block(`$pc${pc}`);
    for (let pc = 0; pc < insns.length; pc++) {
      if (isLabel[pc]) {
        this.flush(); // every path into a label has its steps counted
        this.code.end();
      }
      this.insn(pc);
    }
  }

  private flush(): void {
    if (this.steps && this.pending > 0) this.code.get('$steps').const(this.pending).op('i32.add').set('$steps');
    this.pending = 0;
  }

  /** Transfers control from `from` to `target` (after the caller flushed the step count). */
  private goto(from: number, target: number): void {
    if (target !== from + 1) this.code.br(`$pc${target}`);
    else if (!this.t.isLabel[target]) return; // plain fall-through: pending keeps counting
    this.pending = 0;
  }

  /** Ends the program with the i32 on the stack as its return value (steps already flushed). */
  finish(): void {
    this.code.br('$ret');
  }

  private insn(pc: number): void {
    const ins = this.t.insns[pc]!;
    const { code, k } = ins;
    this.code.note(pc);
    const table = this.t.tables.get(pc);
    if (table) jumpTable(this, pc, table, this.t.data);
    this.pending++;
    const operand: Instr = srcOf(code) === BPF_SRC.X ? { op: 'local.get', local: '$X' } : { op: 'i32.const', value: k >>> 0 };
    switch (classOf(code)) {
      case BPF_CLASS.LD:
      case BPF_CLASS.LDX:
        this.load(ins, pc);
        this.code.set(classOf(code) === BPF_CLASS.LD ? '$A' : '$X');
        return;
      case BPF_CLASS.ST:
      case BPF_CLASS.STX:
        if (k >= BPF_MEMWORDS) throw unsupported(pc, ins);
        this.code.get(classOf(code) === BPF_CLASS.ST ? '$A' : '$X').set(`$m${k}`);
        return;
      case BPF_CLASS.ALU:
        this.alu(pc, ins, operand);
        return;
      case BPF_CLASS.JMP: {
        this.flush();
        if (opOf(code) === BPF_JMP_OP.JA) return this.goto(pc, pc + 1 + k);
        const test = CONDITIONS[opOf(code)];
        if (!test) throw unsupported(pc, ins);
        this.code.get('$A').push(operand);
        return this.branch(pc, test, pc + 1 + ins.jt, pc + 1 + ins.jf);
      }
      case BPF_CLASS.RET:
        this.flush();
        if (rvalOf(code) === BPF_RVAL.K) this.code.const(k);
        else if (rvalOf(code) === BPF_RVAL.A) this.code.get('$A');
        else throw unsupported(pc, ins);
        this.finish();
        return;
      case BPF_CLASS.MISC:
        if (miscOpOf(code) === BPF_MISCOP.TAX) this.code.get('$A').set('$X');
        else if (miscOpOf(code) === BPF_MISCOP.TXA) this.code.get('$X').set('$A');
        else throw unsupported(pc, ins);
        return;
    }
  }

  /** Two-way branch on `test` of A and the operand (on the stack): true -> `yes`, false -> `no`. */
  private branch(pc: number, test: Condition, yes: number, no: number): void {
    if (yes === no) {
      this.code.op('drop', 'drop');
      return this.goto(pc, no);
    }
    // Branch away on the condition, then continue to the other side (often a fall-through).
    if (yes === pc + 1) {
      this.code.op(...test.negated).brIf(`$pc${no}`);
      return this.goto(pc, yes);
    }
    this.code.op(...test.holds).brIf(`$pc${yes}`);
    this.goto(pc, no);
  }

  /** Pushes the value a load reads. */
  private load(ins: Insn, pc: number): void {
    const { code, k } = ins;
    switch (modeOf(code)) {
      case BPF_MODE.IMM:
        this.code.const(k);
        return;
      case BPF_MODE.LEN:
        this.code.const(RECORD_SIZE);
        return;
      case BPF_MODE.MEM:
        if (k >= BPF_MEMWORDS) throw unsupported(pc, ins);
        this.code.get(`$m${k}`);
        return;
      case BPF_MODE.ABS:
        if (code !== (BPF_CLASS.LD | BPF_MODE.ABS) || k % 4 !== 0 || k >= RECORD_SIZE) throw unsupported(pc, ins);
        this.code.get('$in').mem('i32.load', k);
        if (this.t.endian === 'big') this.code.push(...BSWAP32);
        return;
      default:
        throw unsupported(pc, ins);
    }
  }

  private alu(pc: number, ins: Insn, operand: Instr): void {
    const { code, k } = ins;
    const op = opOf(code);
    if (op === BPF_ALU_OP.NEG) {
      this.code.const(0).get('$A').op('i32.sub').set('$A');
      return;
    }
    const byX = srcOf(code) === BPF_SRC.X;
    if (op === BPF_ALU_OP.DIV || op === BPF_ALU_OP.MOD) {
      if (!byX && k === 0) throw unsupported(pc, ins);
      if (byX) {
        // kernel/bpf/core.c: classic division by X = 0 returns 0 from the program.
        this.flush();
        this.code.get('$X').op('i32.eqz').if().const(0);
        this.finish();
        this.code.end();
      }
    }
    if ((op === BPF_ALU_OP.LSH || op === BPF_ALU_OP.RSH) && !byX && k >= 32) throw unsupported(pc, ins);
    const wasmOp = WASM_ALU[op];
    if (!wasmOp) throw unsupported(pc, ins);
    this.code.get('$A').push(operand).op(wasmOp).set('$A');
  }
}

function unsupported(pc: number, ins: Insn): Error {
  return new Error(`wasm: cannot translate instruction ${pc} (${formatInsn(ins, pc, Infinity)}): not a validated seccomp program`);
}
