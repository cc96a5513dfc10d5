/**
 * The JIT's module (./instructions.ts) as WebAssembly text, for people: `seccompile wasm` and the
 * golden files. Rendered from the same instruction list ./binary.ts encodes, never parsed back:
 * the tests have wabt assemble this text and compare its bytes with ours.
 *
 * Flat text, one instruction a line (no folded expressions), each BPF instruction as a comment
 * above its translation, each `end` naming the label it closes; constants of 2^16 and more in hex.
 */
import type { Program } from '../bpf/validate.js';
import { formatInsn } from '../bpf/disasm.js';
import type { Instr, WasmFunc, WasmModule } from './instructions.js';
import { emitModule, type EmitOptions } from './emit.js';

export interface WatOptions extends EmitOptions {
  /** One comment per BPF instruction (default true). */
  readonly comments?: boolean;
}

/** The WebAssembly text of the module the JIT compiles for `insns`. */
export function toWat(insns: Program, options: WatOptions = {}): string {
  return renderWat(emitModule(insns, options), options.comments === false ? undefined : bpfComments(insns));
}

/** The comments renderWat puts above each BPF instruction's translation: `pc: instruction`. */
export const bpfComments =
  (insns: Program) =>
  (pc: number): string =>
    `${pc}: ${formatInsn(insns[pc]!, pc, insns.length)}`;

const hex = (k: number): string => (k < 0x10000 ? String(k) : `0x${k.toString(16)}`);
const escape = (bytes: Uint8Array): string => Array.from(bytes, (b) => `\\${b.toString(16).padStart(2, '0')}`).join('');

/**
 * The text of `module`; `describe(pc)` is the comment at the start of BPF instruction pc's
 * translation (none without it).
 */
export function renderWat(module: WasmModule, describe?: (pc: number) => string): string {
  const out = [`;; ${module.comment}`, '(module', `  (memory (export "${module.memory.exportName}") ${module.memory.pages})`];
  for (const f of module.funcs) renderFunc(f, out, describe);
  for (const g of module.globals) out.push(`  (global (export "${g.exportName}") i32 (i32.const ${g.value}))`);
  for (const d of module.data) out.push(`  (data (i32.const ${d.offset}) "${escape(d.bytes)}") ;; ${d.note}`);
  out.push(')', '');
  return out.join('\n');
}

function renderFunc(f: WasmFunc, out: string[], describe: ((pc: number) => string) | undefined): void {
  out.push(`  (func (export "${f.exportName}") ${f.params.map((p) => `(param ${p} i32)`).join(' ')}`);
  if (f.locals.length) out.push(`    ${f.locals.map((l) => `(local ${l} i32)`).join(' ')}`);
  /** Labels of the open blocks, innermost last ('' for `if`). */
  const open: string[] = [];
  for (const ins of f.body) {
    if (ins.op === 'note') {
      if (describe) out.push(`    ;; ${describe(ins.pc)}`);
      continue;
    }
    if (ins.op === 'block' || ins.op === 'loop') open.push(ins.label);
    else if (ins.op === 'if') open.push('');
    out.push(`    ${instruction(ins, ins.op === 'end' ? open.pop() : undefined)}`);
  }
  out.push('  )');
}

/** One instruction's line; `closes` is the label an `end` closes. */
function instruction(ins: Exclude<Instr, { op: 'note' }>, closes: string | undefined): string {
  switch (ins.op) {
    case 'block':
    case 'loop':
      return `${ins.op} ${ins.label}${ins.result ? ' (result i32)' : ''}`;
    case 'end':
      return closes ? `end ;; ${closes}` : 'end';
    case 'br':
    case 'br_if':
      return `${ins.op} ${ins.label}`;
    case 'br_table':
      return `br_table ${[...ins.labels, ins.otherwise].join(' ')}`;
    case 'local.get':
    case 'local.set':
    case 'local.tee':
      return `${ins.op} ${ins.local}`;
    case 'i32.const':
      return `i32.const ${hex(ins.value)}`;
    case 'i32.load':
    case 'i32.load8_u':
    case 'i32.load16_u':
    case 'i32.store':
      return ins.offset ? `${ins.op} offset=${ins.offset}` : ins.op;
    default:
      return ins.op;
  }
}
