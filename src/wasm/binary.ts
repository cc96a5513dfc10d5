/**
 * The JIT's module model (./instructions.ts) -> WebAssembly binary, the bytes V8 compiles.
 * Encoding follows the WebAssembly core specification 2.0 (binary format, chapter 5). Sections and
 * exports come in the order wabt's assembler gives the text ./wat.ts renders from the same model
 * (memory, functions, globals), so the tests can hold the two to the same bytes.
 *
 * The model is generated, so a label or local it names but does not declare is a bug in the
 * emitter: an Error naming the function and the instruction, never a user mistake. Nesting has no
 * limit here (a program with a jump target at each of its 4,096 instructions nests 4,096 blocks).
 */
import { CONTROL_OPCODES, MEMORY_OPCODES, PLAIN_OPCODES, type Instr, type WasmFunc, type WasmModule } from './instructions.js';

const I32 = 0x7f;
const EMPTY_BLOCK = 0x40;
const FUNC_TYPE = 0x60;
const EXPORT_KIND = { func: 0x00, memory: 0x02, global: 0x03 } as const;
const SECTION = { type: 1, function: 3, memory: 5, global: 6, export: 7, code: 10, data: 11 } as const;
const MAGIC_VERSION = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** A growable byte buffer with the LEB128 encodings the format uses. */
class Bytes {
  private buf = new Uint8Array(1024);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }

  u32(v: number): void {
    let x = v >>> 0;
    do {
      const b = x & 0x7f;
      x >>>= 7;
      this.byte(x ? b | 0x80 : b);
    } while (x);
  }

  /** Signed LEB128 of a 32-bit word read as an i32 (how `i32.const` stores u32 constants too). */
  i32(v: number): void {
    let x = v | 0;
    for (;;) {
      const b = x & 0x7f;
      x >>= 7;
      if ((x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0)) return this.byte(b);
      this.byte(b | 0x80);
    }
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buf.set(data, this.length);
    this.length += data.length;
  }

  name(s: string): void {
    const utf8 = new TextEncoder().encode(s);
    this.u32(utf8.length);
    this.bytes(utf8);
  }

  /** Appends `other` as a size-prefixed vector entry (a section or a function body). */
  sized(other: Bytes): void {
    this.u32(other.length);
    this.bytes(other.buf.subarray(0, other.length));
  }

  done(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** The binary of `module`. */
export function encodeModule(module: WasmModule): Uint8Array {
  const out = new Bytes();
  for (const b of MAGIC_VERSION) out.byte(b);
  const section = (id: number, fill: (s: Bytes) => void) => {
    const s = new Bytes();
    fill(s);
    out.byte(id);
    out.sized(s);
  };
  // Function types by parameter count (every parameter is an i32, no function returns a value).
  const arities: number[] = [];
  const typeOf = module.funcs.map((f) => {
    const t = arities.indexOf(f.params.length);
    return t >= 0 ? t : arities.push(f.params.length) - 1;
  });
  section(SECTION.type, (s) => {
    s.u32(arities.length);
    for (const params of arities) {
      s.byte(FUNC_TYPE);
      s.u32(params);
      for (let i = 0; i < params; i++) s.byte(I32);
      s.u32(0);
    }
  });
  section(SECTION.function, (s) => {
    s.u32(typeOf.length);
    for (const t of typeOf) s.u32(t);
  });
  section(SECTION.memory, (s) => {
    s.u32(1);
    s.byte(0x00); // no maximum
    s.u32(module.memory.pages);
  });
  if (module.globals.length) {
    section(SECTION.global, (s) => {
      s.u32(module.globals.length);
      for (const g of module.globals) {
        s.byte(I32);
        s.byte(0x00); // immutable
        s.byte(CONTROL_OPCODES['i32.const']);
        s.i32(g.value);
        s.byte(CONTROL_OPCODES.end);
      }
    });
  }
  section(SECTION.export, (s) => {
    s.u32(1 + module.funcs.length + module.globals.length);
    const entry = (name: string, kind: number, index: number) => {
      s.name(name);
      s.byte(kind);
      s.u32(index);
    };
    entry(module.memory.exportName, EXPORT_KIND.memory, 0);
    module.funcs.forEach((f, i) => entry(f.exportName, EXPORT_KIND.func, i));
    module.globals.forEach((g, i) => entry(g.exportName, EXPORT_KIND.global, i));
  });
  section(SECTION.code, (s) => {
    s.u32(module.funcs.length);
    for (const f of module.funcs) s.sized(encodeBody(f));
  });
  if (module.data.length) {
    section(SECTION.data, (s) => {
      s.u32(module.data.length);
      for (const d of module.data) {
        s.byte(0x00); // active, memory 0
        s.byte(CONTROL_OPCODES['i32.const']);
        s.i32(d.offset);
        s.byte(CONTROL_OPCODES.end);
        s.u32(d.bytes.length);
        s.bytes(d.bytes);
      }
    });
  }
  return out.done();
}

/** One function's locals and instructions, up to its closing `end`. */
function encodeBody(f: WasmFunc): Bytes {
  const out = new Bytes();
  const localIndex = new Map<string, number>();
  for (const name of [...f.params, ...f.locals]) localIndex.set(name, localIndex.size);
  out.u32(f.locals.length ? 1 : 0);
  if (f.locals.length) {
    out.u32(f.locals.length);
    out.byte(I32);
  }
  /** Open blocks, innermost last: their labels ('' for `if`). */
  const labels: string[] = [];
  /** Label -> nesting levels of the open blocks with that label, innermost last. */
  const levels = new Map<string, number[]>();
  const bad = (at: number, why: string) => new Error(`wasm: ${why} in function ${f.exportName}, instruction ${at} (a bug in the JIT's emitter)`);
  const open = (label: string) => {
    let at = levels.get(label);
    if (!at) levels.set(label, (at = []));
    at.push(labels.length);
    labels.push(label);
  };
  const depth = (label: string, at: number): number => {
    const nest = levels.get(label);
    if (!nest?.length) throw bad(at, `branch to ${label}, which is not an open block`);
    return labels.length - 1 - nest[nest.length - 1]!;
  };
  for (let at = 0; at < f.body.length; at++) {
    const ins: Instr = f.body[at]!;
    switch (ins.op) {
      case 'note':
        continue;
      case 'block':
      case 'loop':
        out.byte(CONTROL_OPCODES[ins.op]);
        out.byte(ins.result ? I32 : EMPTY_BLOCK);
        open(ins.label);
        continue;
      case 'if':
        out.byte(CONTROL_OPCODES.if);
        out.byte(EMPTY_BLOCK);
        open('');
        continue;
      case 'end': {
        const label = labels.pop();
        if (label === undefined) throw bad(at, 'end without a block');
        levels.get(label)!.pop();
        out.byte(CONTROL_OPCODES.end);
        continue;
      }
      case 'br':
      case 'br_if':
        out.byte(CONTROL_OPCODES[ins.op]);
        out.u32(depth(ins.label, at));
        continue;
      case 'br_table':
        out.byte(CONTROL_OPCODES.br_table);
        out.u32(ins.labels.length);
        for (const l of ins.labels) out.u32(depth(l, at));
        out.u32(depth(ins.otherwise, at));
        continue;
      case 'local.get':
      case 'local.set':
      case 'local.tee': {
        const index = localIndex.get(ins.local);
        if (index === undefined) throw bad(at, `unknown local ${ins.local}`);
        out.byte(CONTROL_OPCODES[ins.op]);
        out.u32(index);
        continue;
      }
      case 'i32.const':
        out.byte(CONTROL_OPCODES['i32.const']);
        out.i32(ins.value);
        continue;
      case 'i32.load':
      case 'i32.load8_u':
      case 'i32.load16_u':
      case 'i32.store': {
        const [code, align] = MEMORY_OPCODES[ins.op];
        out.byte(code);
        out.u32(align);
        out.u32(ins.offset);
        continue;
      }
      default:
        out.byte(PLAIN_OPCODES[ins.op]);
    }
  }
  if (labels.length) throw bad(f.body.length, `${labels.length} block(s) left open`);
  out.byte(CONTROL_OPCODES.end);
  return out;
}
