/**
 * WebAssembly text -> binary for the flat subset ./wat.ts emits: one instruction per line, named
 * labels, no folded expressions, i32 only, one memory, functions with inline signatures, exported
 * i32 constants (globals), data segments written as `\hh` escapes. This is
 * what the JIT compiles with (wabt is no longer on the run-time path, see ./jit.ts).
 *
 * Why our own: wabt's text parser (the emscripten build) recurses per nested block and fails
 * beyond about 160 levels, so programs with more jump targets had to be cut into chunks joined
 * by calls, which cost most of the JIT's speed on large filters. A line-by-line assembler has no
 * such limit: a whole program becomes one function, however many blocks it nests. V8 validates
 * the result (WebAssembly.instantiate), and the tests compare our bytes with wabt's.
 *
 * Encoding follows the WebAssembly core specification 2.0 (binary format, chapter 5) plus the
 * tail-call proposal's `return_call` (0x12). Anything outside the subset is an Error naming the
 * line: the input is generated, so that is a bug in the emitter, never a user mistake.
 */

/** Opcodes of the instructions that take no immediate. */
const PLAIN: Readonly<Record<string, number>> = {
  return: 0x0f,
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
};

/** Loads and stores: opcode and natural alignment (log2 of the access size). */
const MEMORY_OPS: Readonly<Record<string, readonly [number, number]>> = {
  'i32.load': [0x28, 2],
  'i32.load8_u': [0x2d, 0],
  'i32.load16_u': [0x2f, 1],
  'i32.store': [0x36, 2],
};

const I32 = 0x7f;
const EMPTY_BLOCK = 0x40;

/** A growable byte buffer with the LEB128 encodings the format uses. */
class Bytes {
  private buf = new Uint8Array(1024);
  length = 0;

  byte(b: number): void {
    if (this.length === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
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

  /** Signed LEB128 of an i32 (u32 constants are reinterpreted as signed, as wabt does). */
  i32(v: number): void {
    let x = v | 0;
    for (;;) {
      const b = x & 0x7f;
      x >>= 7;
      if ((x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0)) return this.byte(b);
      this.byte(b | 0x80);
    }
  }

  append(other: Bytes): void {
    while (this.buf.length < this.length + other.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf.set(other.buf.subarray(0, other.length), this.length);
    this.length += other.length;
  }

  name(s: string): void {
    const bytes = new TextEncoder().encode(s);
    this.u32(bytes.length);
    for (const b of bytes) this.byte(b);
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

interface Func {
  readonly name: string | undefined;
  readonly params: readonly string[];
  readonly results: number;
  /** Line of the `(func` header. */
  readonly line: number;
}

const fail = (line: number, text: string, why: string): Error =>
  new Error(`wasm text line ${line + 1}: ${why}: ${text.trim()}`);

/** A line without its comment and surrounding blanks. */
function strip(raw: string): string {
  const comment = raw.indexOf(';;');
  return (comment >= 0 ? raw.slice(0, comment) : raw).trim();
}

/** Assembles the module text `wat` (the flat subset ./wat.ts emits) to a WebAssembly binary. */
export function assembleWat(wat: string): Uint8Array {
  const lines = wat.split('\n');
  // First pass: the module's shape (functions can call functions defined further down).
  const funcs: Func[] = [];
  let memory: { exportName: string; pages: number } | undefined;
  const globals: number[] = [];
  const data: Array<{ offset: number; bytes: number[] }> = [];
  /** Exports in text order: [name, kind (0 func, 2 memory, 3 global), index]. */
  const exports: Array<[string, number, number]> = [];
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!.trimStart();
    if (text.startsWith('(func')) {
      const name = /^\(func (\$[\w.]+)/.exec(text)?.[1];
      const exportName = /\(export "([^"]*)"\)/.exec(text)?.[1];
      const params = [...text.matchAll(/\(param (\$[\w.]+) i32\)/g)].map((m) => m[1]!);
      const result = /\(result((?: i32)+)\)/.exec(text);
      const results = result ? result[1]!.trim().split(' ').length : 0;
      if (exportName !== undefined) exports.push([exportName, 0x00, funcs.length]);
      funcs.push({ name, params, results, line: i });
    } else if (text.startsWith('(memory')) {
      const m = /^\(memory \(export "([^"]*)"\) (\d+)\)$/.exec(strip(text));
      if (!m || memory) throw fail(i, text, 'unsupported memory');
      memory = { exportName: m[1]!, pages: Number(m[2]) };
      exports.push([memory.exportName, 0x02, 0]);
    } else if (text.startsWith('(global')) {
      // An immutable i32 constant, exported: the only kind of global the emitter writes.
      const m = /^\(global \(export "([^"]*)"\) i32 \(i32\.const (\d+)\)\)$/.exec(strip(text));
      if (!m) throw fail(i, text, 'unsupported global');
      exports.push([m[1]!, 0x03, globals.length]);
      globals.push(Number(m[2]));
    } else if (text.startsWith('(data')) {
      const m = /^\(data \(i32\.const (\d+)\) "((?:\\[0-9a-f]{2})*)"\)$/.exec(strip(text));
      if (!m) throw fail(i, text, 'unsupported data segment');
      const bytes: number[] = [];
      for (let at = 1; at < m[2]!.length; at += 3) bytes.push(parseInt(m[2]!.slice(at, at + 2), 16));
      data.push({ offset: Number(m[1]), bytes });
    }
  }

  const funcIndex = new Map<string, number>();
  funcs.forEach((f, i) => f.name && funcIndex.set(f.name, i));
  const types: string[] = [];
  const typeOf = funcs.map((f) => {
    const sig = `${f.params.length}:${f.results}`;
    let t = types.indexOf(sig);
    if (t < 0) t = types.push(sig) - 1;
    return t;
  });

  const out = new Bytes();
  for (const b of [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]) out.byte(b);
  const section = (id: number, fill: (s: Bytes) => void) => {
    const s = new Bytes();
    fill(s);
    out.byte(id);
    out.u32(s.length);
    out.append(s);
  };
  section(1, (s) => {
    s.u32(types.length);
    for (const sig of types) {
      const [params, results] = sig.split(':').map(Number) as [number, number];
      s.byte(0x60);
      s.u32(params);
      for (let i = 0; i < params; i++) s.byte(I32);
      s.u32(results);
      for (let i = 0; i < results; i++) s.byte(I32);
    }
  });
  section(3, (s) => {
    s.u32(funcs.length);
    for (const t of typeOf) s.u32(t);
  });
  if (memory) {
    section(5, (s) => {
      s.u32(1);
      s.byte(0x00);
      s.u32(memory.pages);
    });
  }
  if (globals.length) {
    section(6, (s) => {
      s.u32(globals.length);
      for (const value of globals) {
        s.byte(I32);
        s.byte(0x00); // immutable
        s.byte(0x41);
        s.i32(value);
        s.byte(0x0b);
      }
    });
  }
  if (exports.length) {
    section(7, (s) => {
      s.u32(exports.length);
      for (const [name, kind, index] of exports) {
        s.name(name);
        s.byte(kind);
        s.u32(index);
      }
    });
  }
  section(10, (s) => {
    s.u32(funcs.length);
    const body = new Bytes();
    for (const f of funcs) {
      body.length = 0;
      new FuncEncoder(f, funcIndex, lines, body).encode();
      s.u32(body.length);
      s.append(body);
    }
  });
  if (data.length) {
    section(11, (s) => {
      s.u32(data.length);
      for (const d of data) {
        s.byte(0x00); // active, memory 0
        s.byte(0x41);
        s.i32(d.offset);
        s.byte(0x0b);
        s.u32(d.bytes.length);
        for (const b of d.bytes) s.byte(b);
      }
    });
  }
  return out.bytes();
}

/** Encodes one function: its locals, then its instructions up to the closing `)`. */
class FuncEncoder {
  private readonly localIndex = new Map<string, number>();
  /** Open blocks, innermost last: their label names ('' for `if`). */
  private readonly labels: string[] = [];
  /** Label name -> nesting levels of the open blocks with that name, innermost last. */
  private readonly levels = new Map<string, number[]>();
  private line = 0;

  constructor(
    private readonly f: Func,
    private readonly funcIndex: ReadonlyMap<string, number>,
    private readonly lines: readonly string[],
    private readonly out: Bytes,
  ) {
    f.params.forEach((p, i) => this.localIndex.set(p, i));
  }

  private bad(why: string): Error {
    return fail(this.line, this.lines[this.line]!, why);
  }

  encode(): void {
    const { lines, out } = this;
    let i = this.f.line + 1;
    const locals: string[] = [];
    for (; i < lines.length; i++) {
      const text = strip(lines[i]!);
      if (!text.startsWith('(local')) break;
      for (const m of text.matchAll(/\(local (\$[\w.]+) i32\)/g)) locals.push(m[1]!);
    }
    for (const l of locals) this.localIndex.set(l, this.localIndex.size);
    out.u32(locals.length ? 1 : 0);
    if (locals.length) {
      out.u32(locals.length);
      out.byte(I32);
    }
    for (; i < lines.length; i++) {
      const text = strip(lines[i]!);
      if (!text) continue;
      if (text === ')') break;
      this.line = i;
      this.instruction(text);
    }
    if (this.labels.length) throw fail(this.f.line, lines[this.f.line]!, `${this.labels.length} block(s) left open`);
    out.byte(0x0b);
  }

  private depth(label: string | undefined): number {
    const open = label === undefined ? undefined : this.levels.get(label);
    const at = open?.length ? open[open.length - 1]! : -1;
    if (at < 0) throw this.bad(`unknown label ${label}`);
    return this.labels.length - 1 - at;
  }

  private local(name: string | undefined): number {
    const at = name === undefined ? undefined : this.localIndex.get(name);
    if (at === undefined) throw this.bad(`unknown local ${name}`);
    return at;
  }

  private open(label: string): void {
    let at = this.levels.get(label);
    if (!at) this.levels.set(label, (at = []));
    at.push(this.labels.length);
    this.labels.push(label);
  }

  private instruction(text: string): void {
    const { out } = this;
    const space = text.indexOf(' ');
    const op = space < 0 ? text : text.slice(0, space);
    const arg = space < 0 ? undefined : text.slice(space + 1).trim();
    const plain = PLAIN[op];
    if (plain !== undefined && arg === undefined) {
      out.byte(plain);
      return;
    }
    switch (op) {
      case 'block':
      case 'loop': {
        const [label, ...rest] = arg?.split(/\s+/) ?? [];
        if (!label?.startsWith('$')) throw this.bad('block without a label');
        const type = rest.join(' ');
        if (type !== '' && type !== '(result i32)') throw this.bad('unsupported block type');
        out.byte(op === 'block' ? 0x02 : 0x03);
        out.byte(type ? I32 : EMPTY_BLOCK);
        this.open(label);
        return;
      }
      case 'if':
        if (arg !== undefined) throw this.bad('unsupported if');
        out.byte(0x04);
        out.byte(EMPTY_BLOCK);
        this.open('');
        return;
      case 'end': {
        const label = this.labels.pop();
        if (label === undefined) throw this.bad('end without a block');
        this.levels.get(label)!.pop();
        out.byte(0x0b);
        return;
      }
      case 'br':
      case 'br_if':
        out.byte(op === 'br' ? 0x0c : 0x0d);
        out.u32(this.depth(arg));
        return;
      case 'br_table': {
        const targets = arg?.split(/\s+/) ?? [];
        if (targets.length < 1) throw this.bad('br_table without labels');
        out.byte(0x0e);
        out.u32(targets.length - 1);
        for (const l of targets) out.u32(this.depth(l));
        return;
      }
      case 'local.get':
      case 'local.set':
      case 'local.tee':
        out.byte(op === 'local.get' ? 0x20 : op === 'local.set' ? 0x21 : 0x22);
        out.u32(this.local(arg));
        return;
      case 'i32.const': {
        const v = Number(arg);
        if (!arg || !Number.isInteger(v) || v < -0x80000000 || v > 0xffffffff) throw this.bad('bad constant');
        out.byte(0x41);
        out.i32(v);
        return;
      }
      case 'i32.load':
      case 'i32.load8_u':
      case 'i32.load16_u':
      case 'i32.store': {
        const offset = arg === undefined ? 0 : Number(/^offset=(\d+)$/.exec(arg)?.[1] ?? NaN);
        if (!Number.isInteger(offset)) throw this.bad('bad memory immediate');
        const [code, align] = MEMORY_OPS[op]!;
        out.byte(code);
        out.u32(align); // alignment hint: log2 of the access size, natural alignment
        out.u32(offset);
        return;
      }
      case 'call':
      case 'return_call': {
        const index = arg === undefined ? undefined : this.funcIndex.get(arg);
        if (index === undefined) throw this.bad(`unknown function ${arg}`);
        out.byte(op === 'call' ? 0x10 : 0x12);
        out.u32(index);
        return;
      }
      default:
        throw this.bad('unsupported instruction');
    }
  }
}
