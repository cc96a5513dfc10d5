/**
 * Classic BPF disassembler: one instruction per line in bpf_asm/bpf_dbg syntax, jump targets
 * resolved to labels, and an optional per-instruction comment supplied by the caller (the seccomp
 * annotations live in src/seccomp/annotate.ts; this module knows nothing about seccomp).
 *
 *   L3:                                  <- a label line before every in-range jump target
 *     3: jeq #59, L5, L4          ; execve
 *     4: ret #0x7fff0000          ; ALLOW
 *
 * Invariants (what the assembler in ./assembler.ts relies on to reproduce the bytes exactly):
 * - A label is `L<index of its instruction>`; a target outside the program is written `+<offset>`.
 * - A conditional jump whose jf is 0 is written with its true target only (`jeq #k, Lt`).
 * - An instruction is written in its mnemonic form only when the fields it ignores are zero
 *   (jt/jf outside conditional jumps, k where the operand is x, a, #len or none); any other
 *   16-bit word, including codes classic BPF does not define, is written `.insn code, jt, jf, k`.
 * - Constants below 4096 are decimal, larger ones hexadecimal.
 *
 * Follows the instruction forms of tools/bpf/bpf_dbg.c bpf_disasm and the kernel's
 * Documentation/networking/filter.rst syntax.
 */
import { opcodeInfo, type Insn, type OpcodeInfo } from './isa.js';

export interface DisasmOptions {
  /** Comment for instruction `pc` (printed after `;`), or undefined for none. */
  readonly annotate?: (pc: number, insn: Insn) => string | undefined;
}

/** Constants below this are written in decimal (syscall numbers, errnos, offsets), others in hex. */
const DECIMAL_BELOW = 4096;
/** Column (from the start of the mnemonic) where the `;` comment starts. */
const COMMENT_COLUMN = 28;

/** `5`, `4095`, `0x1000`, `0xc000003e`. */
export function formatConstant(k: number): string {
  const u = k >>> 0;
  return u < DECIMAL_BELOW ? String(u) : `0x${u.toString(16)}`;
}

/** Label of instruction `pc` as the disassembler writes it. */
export const labelName = (pc: number): string => `L${pc}`;

/** The absolute index a jump field of instruction `pc` goes to (may be outside the program). */
export const jumpTarget = (pc: number, offset: number): number => pc + 1 + offset;

/** Whether the fields the instruction ignores are all zero (so its mnemonic form is exact). */
export function isCanonical(ins: Insn, info: OpcodeInfo): boolean {
  if (info.jump !== 'cond' && (ins.jt !== 0 || ins.jf !== 0)) return false;
  const usesK = info.operand !== 'x' && info.operand !== 'a' && info.operand !== 'len' && info.operand !== 'none';
  return usesK || ins.k === 0;
}

/** The operand as bpf_asm writes it, e.g. `#5`, `[4]`, `[x + 4]`, `M[3]`, `#len`, `x`. */
function formatOperand(info: OpcodeInfo, k: number): string {
  switch (info.operand) {
    case 'none':
      return '';
    case 'k':
      return `#${formatConstant(k)}`;
    case 'x':
      return 'x';
    case 'a':
      return 'a';
    case 'abs':
      return `[${formatConstant(k)}]`;
    case 'ind':
      return `[x + ${formatConstant(k)}]`;
    case 'mem':
      return `M[${formatConstant(k)}]`;
    case 'len':
      return '#len';
    case 'msh':
      return `4*([${formatConstant(k)}]&0xf)`;
  }
}

/**
 * One instruction's text without index, label or comment. `nInsns` decides whether a target is a
 * label (inside the program) or a relative `+offset` (outside it).
 */
export function formatInsn(ins: Insn, pc: number, nInsns: number): string {
  const info = opcodeInfo(ins.code);
  if (!info || !isCanonical(ins, info)) return formatRaw(ins);
  const target = (offset: number): string => {
    const to = jumpTarget(pc, offset);
    return to < nInsns ? labelName(to) : `+${offset}`;
  };
  switch (info.jump) {
    case 'always':
      return `${info.mnemonic} ${target(ins.k >>> 0)}`;
    case 'cond': {
      const head = `${info.mnemonic} ${formatOperand(info, ins.k)}, ${target(ins.jt)}`;
      return ins.jf === 0 ? head : `${head}, ${target(ins.jf)}`;
    }
    default: {
      const operand = formatOperand(info, ins.k);
      return operand ? `${info.mnemonic} ${operand}` : info.mnemonic;
    }
  }
}

/** `.insn 0x07, 0, 0, 5`: the exact 16/8/8/32-bit fields, for words with no exact mnemonic form. */
function formatRaw(ins: Insn): string {
  const code = `0x${ins.code.toString(16).padStart(2, '0')}`;
  return `.insn ${code}, ${ins.jt}, ${ins.jf}, ${formatConstant(ins.k)}`;
}

/** The instruction with the fields its opcode ignores set to zero. */
function withoutIgnoredFields(ins: Insn, info: OpcodeInfo): Insn {
  const cond = info.jump === 'cond';
  const probe: Insn = { code: ins.code, jt: cond ? ins.jt : 0, jf: cond ? ins.jf : 0, k: ins.k };
  return isCanonical(probe, info) ? probe : { ...probe, k: 0 };
}

/** Why an instruction was written as `.insn` (shown as its comment), or undefined. */
function rawReason(ins: Insn, pc: number, nInsns: number): string | undefined {
  const info = opcodeInfo(ins.code);
  if (!info) return 'not a classic BPF opcode';
  if (isCanonical(ins, info)) return undefined;
  return `${formatInsn(withoutIgnoredFields(ins, info), pc, nInsns)} (ignored fields set)`;
}

/** One output line: an instruction (with its index) or a label line (pc is the labelled index). */
export interface DisasmLine {
  readonly pc: number;
  readonly kind: 'label' | 'insn';
  readonly text: string;
}

/** The in-range instruction indexes the disassembly names as jump targets, ascending. */
export function jumpTargets(insns: readonly Insn[]): number[] {
  const targets = new Set<number>();
  insns.forEach((ins, pc) => {
    const info = opcodeInfo(ins.code);
    if (!info || !isCanonical(ins, info) || (info.jump !== 'always' && info.jump !== 'cond')) return;
    // Only targets the text names: a conditional jump's jf of 0 is the unwritten fall-through.
    const offsets = info.jump === 'always' ? [ins.k >>> 0] : ins.jf === 0 ? [ins.jt] : [ins.jt, ins.jf];
    for (const off of offsets) {
      const to = jumpTarget(pc, off);
      if (to < insns.length) targets.add(to);
    }
  });
  return [...targets].sort((a, b) => a - b);
}

/** The disassembly as lines (labels and instructions), for callers that want a window of it. */
export function disassembleLines(insns: readonly Insn[], options: DisasmOptions = {}): DisasmLine[] {
  const targets = new Set(jumpTargets(insns));
  const width = String(Math.max(insns.length - 1, 0)).length;
  const lines: DisasmLine[] = [];
  insns.forEach((ins, pc) => {
    if (targets.has(pc)) lines.push({ pc, kind: 'label', text: `${labelName(pc)}:` });
    const body = formatInsn(ins, pc, insns.length);
    const notes = [rawReason(ins, pc, insns.length), options.annotate?.(pc, ins)].filter((n): n is string => !!n);
    const prefix = `  ${String(pc).padStart(width)}: `;
    const text = notes.length ? `${prefix}${body.padEnd(COMMENT_COLUMN - 1)} ; ${notes.join('; ')}` : prefix + body;
    lines.push({ pc, kind: 'insn', text });
  });
  return lines;
}

/** The whole program as text, one instruction a line, ending with a newline. */
export function disassemble(insns: readonly Insn[], options: DisasmOptions = {}): string {
  return disassembleLines(insns, options).map((l) => l.text + '\n').join('');
}

/**
 * The instructions within `context` of `pc`, with `>` marking `pc` (for printing an error at an
 * instruction, e.g. a validator's BpfError).
 */
export function disassembleAround(insns: readonly Insn[], pc: number, context = 3, options: DisasmOptions = {}): string {
  return windowAround(disassembleLines(insns, options), pc, context);
}

/**
 * The same window cut from lines disassembled once (`disassembleLines`), in time independent of
 * the program's length: a caller showing many errors of one program disassembles it only once.
 */
export function windowAround(lines: readonly DisasmLine[], pc: number, context = 3): string {
  let lo = 0;
  let hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (lines[mid]!.pc < pc - context) lo = mid + 1;
    else hi = mid;
  }
  let out = '';
  for (let i = lo; i < lines.length && lines[i]!.pc <= pc + context; i++) {
    const l = lines[i]!;
    out += (l.kind === 'insn' && l.pc === pc ? '>' + l.text.slice(1) : l.text) + '\n';
  }
  return out;
}
