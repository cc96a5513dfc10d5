/**
 * Classic BPF assembler: reads the disassembler's text (./disasm.ts) and bpf_asm-like hand-written
 * text back into instructions. Disassemble -> assemble reproduces every instruction word exactly.
 *
 * One statement a line:   [INDEX:] [LABEL:]... [MNEMONIC OPERANDS] [; comment]
 * - INDEX (`12:`) is the disassembler's instruction number; it is ignored (labels carry the jumps).
 * - LABEL is a name (`L12`, `allow`, `.x32`); a jump target is a label or `+N` (N instructions
 *   after the next one, the kernel's own encoding).
 * - Operands: `#k`, `#len`, `[k]`, `[x + k]`, `M[k]`, `4*([k]&0xf)`, `x`, `a`; constants decimal,
 *   `0x` hex, or negative decimal (two's complement).
 * - Conditional jumps take one target (false falls through: jf = 0) or two (`jeq #k, Lt, Lf`).
 *   bpf_asm's inverted forms are accepted: `jne`/`jneq` (jeq), `jlt` (jge), `jle` (jgt) with
 *   one target jump when the condition is false of the underlying opcode (jt = 0); `jmp` is `ja`.
 * - `.insn code, jt, jf, k` writes one raw instruction word (any code, even undefined ones).
 * - `.endian big` (or `little`) records the byte order the program is meant to be encoded in
 *   (`Assembly.endian`); the disassembler's listing of a big-endian filter starts with it, so
 *   that assembling the listing gives back the same bytes.
 * Mistakes are collected, each with its line, column and what was expected; nothing is assembled
 * from a text with any mistake.
 *
 * Follows the syntax of the kernel's tools/bpf/bpf_asm (Documentation/networking/filter.rst).
 */
import type { ByteOrder } from './encode.js';
import { OPCODES, insn, type Insn, type OpcodeInfo, type OperandKind } from './isa.js';

export type AsmErrorCode =
  | 'syntax'
  | 'unknown-mnemonic'
  | 'operand'
  | 'number-range'
  | 'label-undefined'
  | 'label-duplicate'
  | 'jump-backward'
  | 'jump-too-far'
  | 'empty';

/**
 * One mistake in the text, in the shape of every seccompile diagnostic (src/ir/diagnostics.ts
 * `Diagnostic`, which this generic layer does not import): always an error, no structural path,
 * the 1-based line and column of the mistake.
 */
export interface AsmDiagnostic {
  readonly code: AsmErrorCode;
  readonly severity: 'error';
  readonly message: string;
  readonly path: '';
  readonly location: { readonly line: number; readonly column: number };
}

/** The text has mistakes; `diagnostics` lists every one found, in source order. */
export class AsmError extends Error {
  override readonly name = 'AsmError';
  constructor(readonly diagnostics: readonly AsmDiagnostic[]) {
    super(diagnostics.map((d) => `line ${d.location.line}, column ${d.location.column}: ${d.message}`).join('\n'));
  }
}

const mistake = (code: AsmErrorCode, line: number, column: number, message: string): AsmDiagnostic => ({
  code,
  severity: 'error',
  message,
  path: '',
  location: { line, column },
});

export interface Assembly {
  readonly insns: readonly Insn[];
  /** `lines[pc]`: the 1-based source line of instruction pc (for errors about an instruction). */
  readonly lines: readonly number[];
  /** The byte order a `.endian` line asks for, if the text has one. */
  readonly endian?: ByteOrder;
}

/** A jump target as written: a label, or a relative offset `+N`. */
type Target = { readonly label: string; readonly column: number } | { readonly offset: number; readonly column: number };

interface Statement {
  readonly line: number;
  readonly code: number;
  readonly k: number;
  /** Targets still to resolve: `ja` has kTarget; conditional jumps have jt and maybe jf. */
  readonly kTarget?: Target;
  readonly jt?: Target;
  readonly jf?: Target;
  /** bpf_asm's jne/jlt/jle: the written targets are the underlying opcode's false/true branch. */
  readonly inverted?: boolean;
  readonly raw?: { readonly jt: number; readonly jf: number };
}

const OPERAND_SYNTAX: Record<OperandKind, string> = {
  none: 'no operand',
  k: '#k',
  x: 'x',
  a: 'a',
  abs: '[k]',
  ind: '[x + k]',
  mem: 'M[k]',
  len: '#len',
  msh: '4*([k]&0xf)',
};

const BY_MNEMONIC = new Map<string, OpcodeInfo[]>();
for (const o of OPCODES) BY_MNEMONIC.set(o.mnemonic, [...(BY_MNEMONIC.get(o.mnemonic) ?? []), o]);

/** bpf_asm spellings: name -> [table mnemonic, inverted]. */
const ALIASES: Readonly<Record<string, readonly [string, boolean]>> = {
  jmp: ['ja', false],
  jne: ['jeq', true],
  jneq: ['jeq', true],
  jlt: ['jge', true],
  jle: ['jgt', true],
};

class Mistake extends Error {
  constructor(
    readonly code: AsmErrorCode,
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

/** A position in one source line. Columns are 1-based. */
class Cursor {
  pos = 0;
  constructor(readonly text: string) {}
  get column(): number {
    return this.pos + 1;
  }
  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }
  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }
  /** Consumes `re` (anchored, sticky) after whitespace and returns the match, or undefined. */
  match(re: RegExp): RegExpExecArray | undefined {
    this.skipSpace();
    const sticky = new RegExp(re.source, 'y' + re.flags.replace('y', ''));
    sticky.lastIndex = this.pos;
    const m = sticky.exec(this.text);
    if (!m) return undefined;
    this.pos = sticky.lastIndex;
    return m;
  }
  expect(re: RegExp, what: string): RegExpExecArray {
    const at = this.peekColumn();
    const m = this.match(re);
    if (!m) throw new Mistake('syntax', at, `expected ${what}, found ${this.rest()}`);
    return m;
  }
  peekColumn(): number {
    this.skipSpace();
    return this.column;
  }
  rest(): string {
    const r = this.text.slice(this.pos).trim();
    return r ? `'${r.length > 24 ? r.slice(0, 24) + '...' : r}'` : 'end of line';
  }
}

const NUMBER = /-?(?:0[xX][0-9a-fA-F]+|\d+)/;
const IDENT = /[A-Za-z_.$][\w.$]*/;

/** A constant up to `max`; `signed` also accepts negative decimals (stored as two's complement). */
function parseNumber(c: Cursor, what: string, max = 0xffffffff, signed = false): number {
  const at = c.peekColumn();
  const m = c.match(NUMBER);
  if (!m) throw new Mistake('syntax', at, `expected ${what} (decimal or 0x hex), found ${c.rest()}`);
  const text = m[0];
  const negative = text.startsWith('-');
  const magnitude = Number(negative ? text.slice(1) : text);
  const min = signed ? -0x80000000 : 0;
  const value = negative ? -magnitude : magnitude;
  if (!Number.isSafeInteger(magnitude) || value > max || value < min) {
    throw new Mistake('number-range', at, `${text} does not fit ${what} (${min}..${max})`);
  }
  return value >>> 0;
}

/** The operand's syntactic form and its constant. */
function parseOperand(c: Cursor): { kind: OperandKind; k: number; column: number } {
  const column = c.peekColumn();
  if (c.atEnd()) return { kind: 'none', k: 0, column };
  if (c.match(/#/)) {
    if (c.match(/len\b/i)) return { kind: 'len', k: 0, column };
    return { kind: 'k', k: parseNumber(c, 'a 32-bit constant', 0xffffffff, true), column };
  }
  if (c.match(/\[/)) {
    if (c.match(/%?[xX]\b/)) {
      if (c.match(/\]/)) return { kind: 'ind', k: 0, column };
      c.expect(/\+/, "'+' in [x + k]");
      const k = parseNumber(c, 'an offset');
      c.expect(/\]/, "']'");
      return { kind: 'ind', k, column };
    }
    const k = parseNumber(c, 'an offset');
    c.expect(/\]/, "']'");
    return { kind: 'abs', k, column };
  }
  if (c.match(/[mM]\s*\[/)) {
    const k = parseNumber(c, 'a scratch cell index');
    c.expect(/\]/, "']'");
    return { kind: 'mem', k, column };
  }
  if (c.match(/4\s*\*/)) {
    c.expect(/\(/, "'(' in 4*([k]&0xf)");
    c.expect(/\[/, "'[' in 4*([k]&0xf)");
    const k = parseNumber(c, 'an offset');
    c.expect(/\]/, "']' in 4*([k]&0xf)");
    c.expect(/&\s*(?:0[xX]0*[fF]|15)\b/, "'&0xf' in 4*([k]&0xf)");
    c.expect(/\)/, "')' in 4*([k]&0xf)");
    return { kind: 'msh', k, column };
  }
  if (c.match(/%?[xX]\b/)) return { kind: 'x', k: 0, column };
  if (c.match(/%?[aA]\b/)) return { kind: 'a', k: 0, column };
  throw new Mistake('syntax', column, `expected an operand (#k, #len, [k], [x + k], M[k], x or a), found ${c.rest()}`);
}

function parseTarget(c: Cursor): Target {
  const column = c.peekColumn();
  if (c.match(/\+/)) return { offset: parseNumber(c, 'a jump offset'), column };
  const m = c.match(IDENT);
  if (!m) throw new Mistake('syntax', column, `expected a jump target (a label or +offset), found ${c.rest()}`);
  return { label: m[0], column };
}

function parseStatement(c: Cursor, line: number): Statement {
  const column = c.peekColumn();
  const name = c.expect(IDENT, 'a mnemonic')[0].toLowerCase();
  if (name === '.insn') {
    const code = parseNumber(c, 'a 16-bit code', 0xffff);
    c.expect(/,/, "','");
    const jt = parseNumber(c, 'an 8-bit jt', 0xff);
    c.expect(/,/, "','");
    const jf = parseNumber(c, 'an 8-bit jf', 0xff);
    c.expect(/,/, "','");
    return { line, code, k: parseNumber(c, 'a 32-bit k', 0xffffffff, true), raw: { jt, jf } };
  }
  const [mnemonic, inverted] = ALIASES[name] ?? [name, false];
  const candidates = BY_MNEMONIC.get(mnemonic);
  if (!candidates) throw new Mistake('unknown-mnemonic', column, `unknown mnemonic '${name}'`);
  if (candidates[0]!.jump === 'always') return { line, code: candidates[0]!.code, k: 0, kTarget: parseTarget(c) };

  const operand = parseOperand(c);
  // bpf_asm writes the MSH load as `ldx 4*([k]&0xf)` as well as `ldxb`.
  const pool = operand.kind === 'msh' && mnemonic === 'ldx' ? BY_MNEMONIC.get('ldxb')! : candidates;
  const info = pool.find((o) => o.operand === operand.kind);
  if (!info) {
    const forms = candidates.map((o) => OPERAND_SYNTAX[o.operand]);
    throw new Mistake('operand', operand.column, `'${name}' takes ${forms.join(' or ')}, not ${OPERAND_SYNTAX[operand.kind]}`);
  }
  if (info.jump !== 'cond') return { line, code: info.code, k: operand.k };
  c.expect(/,/, "',' and a jump target");
  const first = parseTarget(c);
  const second = c.match(/,/) ? parseTarget(c) : undefined;
  return inverted
    ? { line, code: info.code, k: operand.k, jt: second, jf: first, inverted }
    : { line, code: info.code, k: operand.k, jt: first, jf: second };
}

/** Parses and resolves `text`; throws AsmError listing every mistake. */
export function assemble(text: string): Assembly {
  const diagnostics: AsmDiagnostic[] = [];
  const statements: Statement[] = [];
  const labels = new Map<string, number>();
  let endian: ByteOrder | undefined;
  const sourceLines = text.split(/\r?\n/);
  sourceLines.forEach((source, i) => {
    const line = i + 1;
    const semicolon = source.indexOf(';');
    const c = new Cursor(semicolon >= 0 ? source.slice(0, semicolon) : source);
    try {
      c.match(/\d+\s*:/); // the disassembler's index prefix
      for (let m = c.match(/([A-Za-z_.$][\w.$]*)\s*:/); m; m = c.match(/([A-Za-z_.$][\w.$]*)\s*:/)) {
        if (labels.has(m[1]!)) {
          throw new Mistake('label-duplicate', c.column - m[0].length, `label '${m[1]}' is already defined`);
        }
        labels.set(m[1]!, statements.length);
      }
      if (c.atEnd()) return;
      const directive = c.match(/\.endian\b/i);
      if (directive) {
        const column = c.peekColumn();
        const order = c.match(/(big|little)\b/i)?.[1]?.toLowerCase() as ByteOrder | undefined;
        if (!order) throw new Mistake('syntax', column, `expected big or little after .endian, found ${c.rest()}`);
        if (endian && endian !== order) throw new Mistake('syntax', column, `.endian ${order} contradicts the earlier .endian ${endian}`);
        if (!c.atEnd()) throw new Mistake('syntax', c.column, `expected end of line, found ${c.rest()}`);
        endian = order;
        return;
      }
      const statement = parseStatement(c, line);
      if (!c.atEnd()) throw new Mistake('syntax', c.column, `expected end of instruction, found ${c.rest()}`);
      statements.push(statement);
    } catch (e) {
      if (!(e instanceof Mistake)) throw e;
      diagnostics.push(mistake(e.code, line, e.column, e.message));
    }
  });
  if (statements.length === 0 && diagnostics.length === 0) {
    diagnostics.push(mistake('empty', 1, 1, 'no instructions: a program needs at least one'));
  }

  const insns: Insn[] = [];
  statements.forEach((s, pc) => {
    const resolve = (t: Target | undefined, max: number): number => {
      if (t === undefined) return 0;
      if ('offset' in t) {
        if (t.offset > max) throw new Mistake('jump-too-far', t.column, `offset +${t.offset} exceeds ${max}`);
        return t.offset;
      }
      const to = labels.get(t.label);
      if (to === undefined) throw new Mistake('label-undefined', t.column, `undefined label '${t.label}'`);
      const offset = to - pc - 1;
      if (offset < 0) {
        throw new Mistake(
          'jump-backward',
          t.column,
          `jump to '${t.label}' (instruction ${to}) goes backward from instruction ${pc}: classic BPF jumps only forward`,
        );
      }
      if (offset > max) {
        throw new Mistake(
          'jump-too-far',
          t.column,
          `'${t.label}' is ${offset} instructions ahead; a conditional jump reaches at most ${max} (use ja)`,
        );
      }
      return offset;
    };
    try {
      if (s.raw) insns.push(insn(s.code, s.k, s.raw.jt, s.raw.jf));
      else if (s.kTarget) insns.push(insn(s.code, resolve(s.kTarget, 0xffffffff)));
      else insns.push(insn(s.code, s.k, resolve(s.jt, 0xff), resolve(s.jf, 0xff)));
    } catch (e) {
      if (!(e instanceof Mistake)) throw e;
      diagnostics.push(mistake(e.code, s.line, e.column, e.message));
    }
  });
  if (diagnostics.length) {
    throw new AsmError(diagnostics.sort((a, b) => a.location.line - b.location.line || a.location.column - b.location.column));
  }
  const lines = statements.map((s) => s.line);
  return endian ? { insns, lines, endian } : { insns, lines };
}
