/**
 * The JIT's model of a WebAssembly module: one instruction list per function, from which both
 * the binary V8 compiles (./binary.ts) and the text `seccompile wasm` prints (./wat.ts) are made,
 * so the two cannot say different things. It holds only what the emitter (./emit.ts) writes: i32
 * values, one exported memory, exported functions whose parameters and locals are all i32 and
 * which return nothing, exported immutable i32 globals and active data segments.
 *
 * Labels and locals go by name, as in the text format; the encoder turns a label into a branch
 * depth and a local into an index. Opcodes follow the WebAssembly core specification 2.0 (binary
 * format, section 5.4), one table for the encoder and the renderer.
 */

/** Instructions without an immediate, and their opcodes. */
export const PLAIN_OPCODES = {
  drop: 0x1a,
  'i32.eqz': 0x45,
  'i32.eq': 0x46,
  'i32.ne': 0x47,
  'i32.lt_u': 0x49,
  'i32.gt_u': 0x4b,
  'i32.le_u': 0x4d,
  'i32.ge_u': 0x4f,
  'i32.add': 0x6a,
  'i32.sub': 0x6b,
  'i32.mul': 0x6c,
  'i32.div_u': 0x6e,
  'i32.rem_u': 0x70,
  'i32.and': 0x71,
  'i32.or': 0x72,
  'i32.xor': 0x73,
  'i32.shl': 0x74,
  'i32.shr_u': 0x76,
  'i32.rotl': 0x77,
  'i32.rotr': 0x78,
} as const;
export type PlainOp = keyof typeof PLAIN_OPCODES;

/** Memory instructions: opcode, and the natural alignment (log2 of the access size) they declare. */
export const MEMORY_OPCODES = {
  'i32.load': [0x28, 2],
  'i32.load8_u': [0x2d, 0],
  'i32.load16_u': [0x2f, 1],
  'i32.store': [0x36, 2],
} as const;
export type MemoryOp = keyof typeof MEMORY_OPCODES;

export type LocalOp = 'local.get' | 'local.set' | 'local.tee';

/** Opcodes of the instructions with other immediates (structured control, locals, constants). */
export const CONTROL_OPCODES = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  br_table: 0x0e,
  'local.get': 0x20,
  'local.set': 0x21,
  'local.tee': 0x22,
  'i32.const': 0x41,
} as const;

/** One instruction. `note` is no instruction: it marks where BPF instruction `pc`'s translation starts. */
export type Instr =
  | { readonly op: PlainOp }
  | { readonly op: MemoryOp; readonly offset: number }
  | { readonly op: 'i32.const'; readonly value: number }
  | { readonly op: LocalOp; readonly local: string }
  /** A block or loop whose label is `label`; `result` when it leaves an i32 on the stack. */
  | { readonly op: 'block' | 'loop'; readonly label: string; readonly result: boolean }
  | { readonly op: 'if' }
  | { readonly op: 'end' }
  | { readonly op: 'br' | 'br_if'; readonly label: string }
  /** Branches to labels[i] for i on the stack, to `otherwise` past the end. */
  | { readonly op: 'br_table'; readonly labels: readonly string[]; readonly otherwise: string }
  | { readonly op: 'note'; readonly pc: number };

export interface WasmFunc {
  readonly exportName: string;
  /** Parameter names, in call order (all i32). */
  readonly params: readonly string[];
  /** Local names (all i32, zero on entry). */
  readonly locals: readonly string[];
  readonly body: readonly Instr[];
}

export interface DataSegment {
  /** Address the bytes are copied to when the module is instantiated. */
  readonly offset: number;
  readonly bytes: Uint8Array;
  /** What the bytes are, for the text. */
  readonly note: string;
}

export interface WasmModule {
  /** A line about the module, for the text. */
  readonly comment: string;
  readonly memory: { readonly exportName: string; readonly pages: number };
  readonly funcs: readonly WasmFunc[];
  readonly globals: ReadonlyArray<{ readonly exportName: string; readonly value: number }>;
  readonly data: readonly DataSegment[];
}

/** A function body under construction: one method per instruction kind, chainable. */
export class Code {
  readonly instrs: Instr[] = [];

  op(...ops: readonly PlainOp[]): this {
    for (const op of ops) this.instrs.push({ op });
    return this;
  }

  /** An i32 constant; `value` is taken modulo 2^32 (u32 and i32 spellings of a word are the same). */
  const(value: number): this {
    this.instrs.push({ op: 'i32.const', value: value >>> 0 });
    return this;
  }

  get(local: string): this {
    this.instrs.push({ op: 'local.get', local });
    return this;
  }

  set(local: string): this {
    this.instrs.push({ op: 'local.set', local });
    return this;
  }

  tee(local: string): this {
    this.instrs.push({ op: 'local.tee', local });
    return this;
  }

  mem(op: MemoryOp, offset = 0): this {
    this.instrs.push({ op, offset });
    return this;
  }

  block(label: string, result = false): this {
    this.instrs.push({ op: 'block', label, result });
    return this;
  }

  loop(label: string): this {
    this.instrs.push({ op: 'loop', label, result: false });
    return this;
  }

  if(): this {
    this.instrs.push({ op: 'if' });
    return this;
  }

  end(): this {
    this.instrs.push({ op: 'end' });
    return this;
  }

  br(label: string): this {
    this.instrs.push({ op: 'br', label });
    return this;
  }

  brIf(label: string): this {
    this.instrs.push({ op: 'br_if', label });
    return this;
  }

  brTable(labels: readonly string[], otherwise: string): this {
    this.instrs.push({ op: 'br_table', labels, otherwise });
    return this;
  }

  note(pc: number): this {
    this.instrs.push({ op: 'note', pc });
    return this;
  }

  push(...instrs: readonly Instr[]): this {
    for (const i of instrs) this.instrs.push(i);
    return this;
  }
}
