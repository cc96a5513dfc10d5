/**
 * Seccomp annotations for the disassembler: which seccomp_data field a load reads, architecture
 * constants by name, decoded return values, and syscall names where a constant is compared with
 * `nr` after a known architecture check.
 *
 * A forward dataflow over the program (classic BPF only jumps forward, so one pass in index order
 * sees every predecessor of an instruction before the instruction): per instruction, what A, X
 * and M[0..15] hold (a seccomp_data field, a constant, or unknown) and which AUDIT_ARCH value
 * every path to it has established. Where paths join, facts that differ become unknown.
 * Jumps outside the program (invalid programs) are ignored; unreachable instructions get only the
 * annotations that need no state (loads, constant returns).
 *
 * Field offsets follow struct seccomp_data (include/uapi/linux/seccomp.h); which half of a 64-bit
 * field a 32-bit load reads depends on the byte order of the machine running the filter.
 */
import { disassemble, jumpTarget } from '../bpf/disasm.js';
import { BPF_JMP_OP, BPF_MODE, BPF_SIZE, BPF_SRC, BPF_MEMWORDS, opcodeInfo, modeOf, opOf, sizeOf, srcOf, type Insn } from '../bpf/isa.js';
import {
  SECCOMP_DATA,
  SECCOMP_RET_ACTION_FULL,
  SECCOMP_RET_KILL_PROCESS,
  SECCOMP_RET_DATA,
  MAX_ERRNO,
  X32_SYSCALL_BIT,
  AUDIT_ARCH,
  auditArchName,
  formatAction,
  retToAction,
  type Endian,
} from './abi.js';

/**
 * The display name of syscall `nr` on the ABI that `auditArch` (a seccomp_data.arch value) and
 * `nr` select, e.g. (AUDIT_ARCH_X86_64, 0x40000001) -> 'write (x32)'; undefined when unknown.
 * Injected so this module does not depend on the syscall tables.
 */
export type SyscallNamer = (auditArch: number, nr: number) => string | undefined;

export interface AnnotateOptions {
  /** Byte order of the machine running the filter: decides which half of a 64-bit field a load reads. */
  readonly endian?: Endian;
  readonly syscallName?: SyscallNamer;
}

/** What a register or scratch cell holds. */
type Value =
  | { readonly kind: 'field'; readonly field: string }
  | { readonly kind: 'const'; readonly k: number }
  | { readonly kind: 'unknown' };

interface State {
  readonly a: Value;
  readonly x: Value;
  readonly m: readonly Value[];
  /** The AUDIT_ARCH value established on every path here, if any. */
  readonly arch: number | undefined;
}

const UNKNOWN: Value = { kind: 'unknown' };
const field = (name: string): Value => ({ kind: 'field', field: name });
const constant = (k: number): Value => ({ kind: 'const', k: k >>> 0 });

function sameValue(a: Value, b: Value): boolean {
  if (a.kind === 'field' && b.kind === 'field') return a.field === b.field;
  if (a.kind === 'const' && b.kind === 'const') return a.k === b.k;
  return a.kind === 'unknown' && b.kind === 'unknown';
}

function join(a: State | undefined, b: State): State {
  if (!a) return b;
  const pick = (x: Value, y: Value) => (sameValue(x, y) ? x : UNKNOWN);
  return {
    a: pick(a.a, b.a),
    x: pick(a.x, b.x),
    m: a.m.map((v, i) => pick(v, b.m[i]!)),
    arch: a.arch === b.arch ? a.arch : undefined,
  };
}

/** The seccomp_data field a 32-bit load at `offset` reads: `nr`, `args[2] low`, ...; undefined if none. */
export function seccompDataField(offset: number, endian: Endian = 'little'): string | undefined {
  if (offset % 4 !== 0 || offset < 0 || offset >= SECCOMP_DATA.size) return undefined;
  if (offset === SECCOMP_DATA.nr) return 'nr';
  if (offset === SECCOMP_DATA.arch) return 'arch';
  const firstWord = (offset & 4) === 0;
  const half = firstWord === (endian === 'little') ? 'low' : 'high';
  if (offset < SECCOMP_DATA.args) return `instruction_pointer ${half}`;
  return `args[${(offset - SECCOMP_DATA.args) >> 3}] ${half}`;
}

/** ALLOW, ERRNO(13), KILL_PROCESS, TRAP(5)...; notes values the kernel treats specially. */
export function describeRet(ret: number): string {
  const action = retToAction(ret);
  const text = formatAction(action);
  const full = (ret & SECCOMP_RET_ACTION_FULL) >>> 0;
  if (action.kind === 'kill_process' && full !== SECCOMP_RET_KILL_PROCESS) return `${text} (unknown action 0x${full.toString(16)})`;
  const data = ret & SECCOMP_RET_DATA;
  if (action.kind === 'errno' && data > MAX_ERRNO) return `${text} (data ${data} capped)`;
  return text;
}

function loadedValue(ins: Insn, s: State, endian: Endian): Value {
  switch (modeOf(ins.code)) {
    case BPF_MODE.ABS: {
      const name = sizeOf(ins.code) === BPF_SIZE.W ? seccompDataField(ins.k, endian) : undefined;
      return name ? field(name) : UNKNOWN;
    }
    case BPF_MODE.IMM:
      return constant(ins.k);
    case BPF_MODE.MEM:
      return ins.k < BPF_MEMWORDS ? s.m[ins.k]! : UNKNOWN;
    case BPF_MODE.LEN:
      return constant(SECCOMP_DATA.size);
    default:
      return UNKNOWN;
  }
}

/** The state after a non-jump instruction. */
function transfer(ins: Insn, s: State, endian: Endian): State {
  const info = opcodeInfo(ins.code)!;
  switch (info.mnemonic) {
    case 'ld':
    case 'ldh':
    case 'ldb':
      return { ...s, a: loadedValue(ins, s, endian) };
    case 'ldx':
    case 'ldxb':
      return { ...s, x: info.operand === 'msh' ? UNKNOWN : loadedValue(ins, s, endian) };
    case 'st':
    case 'stx':
      return ins.k < BPF_MEMWORDS ? { ...s, m: s.m.map((v, i) => (i === ins.k ? (info.mnemonic === 'st' ? s.a : s.x) : v)) } : s;
    case 'tax':
      return { ...s, x: s.a };
    case 'txa':
      return { ...s, a: s.x };
    default: // ALU operations: the result is no longer a field or a known constant we track
      return { ...s, a: UNKNOWN };
  }
}

/** What comparing `field` with the constant `k` means, given the established arch. */
function describeCompare(op: number, field: string, k: number, arch: number | undefined, options: AnnotateOptions): string | undefined {
  if (field === 'arch') return op === BPF_JMP_OP.JEQ ? (auditArchName(k) ?? `unknown arch 0x${k.toString(16)}`) : undefined;
  if (field !== 'nr' || arch === undefined) return undefined;
  // On x86_64, x32 calls carry __X32_SYSCALL_BIT in nr: a test of that bit splits the two ABIs.
  if (k === X32_SYSCALL_BIT && arch === AUDIT_ARCH.AUDIT_ARCH_X86_64 && op !== BPF_JMP_OP.JEQ) {
    return '__X32_SYSCALL_BIT (x32 ABI)';
  }
  return op === BPF_JMP_OP.JSET ? undefined : options.syscallName?.(arch, k);
}

/**
 * One comment per instruction ('' where there is nothing to say), for disassemble()'s `annotate`.
 */
export function annotateSeccomp(insns: readonly Insn[], options: AnnotateOptions = {}): string[] {
  const endian = options.endian ?? 'little';
  const states: (State | undefined)[] = new Array(insns.length).fill(undefined);
  states[0] = { a: UNKNOWN, x: UNKNOWN, m: new Array<Value>(BPF_MEMWORDS).fill(UNKNOWN), arch: undefined };
  const flow = (to: number, s: State) => {
    if (to < insns.length) states[to] = join(states[to], s);
  };
  return insns.map((ins, pc) => {
    const info = opcodeInfo(ins.code);
    if (!info) return '';
    const s = states[pc];
    const note = describe(ins, info.jump, s, options, endian);
    if (!s) return note;
    switch (info.jump) {
      case 'return':
        break;
      case 'always':
        flow(jumpTarget(pc, ins.k >>> 0), s);
        break;
      case 'cond': {
        const c = comparison(ins, s);
        const establishes = c?.field === 'arch' && opOf(ins.code) === BPF_JMP_OP.JEQ;
        flow(jumpTarget(pc, ins.jt), establishes ? { ...s, arch: c.k } : s);
        flow(jumpTarget(pc, ins.jf), s);
        break;
      }
      case 'none':
        flow(pc + 1, transfer(ins, s, endian));
        break;
    }
    return note;
  });
}

/**
 * The field and the constant a conditional jump compares: `A op #k`, `A op X` with X a known
 * constant, or, for jeq (symmetric), a constant A against a field held in X.
 */
function comparison(ins: Insn, s: State): { field: string; k: number } | undefined {
  if (srcOf(ins.code) === BPF_SRC.K) return s.a.kind === 'field' ? { field: s.a.field, k: ins.k >>> 0 } : undefined;
  if (s.a.kind === 'field' && s.x.kind === 'const') return { field: s.a.field, k: s.x.k };
  if (opOf(ins.code) === BPF_JMP_OP.JEQ && s.a.kind === 'const' && s.x.kind === 'field') return { field: s.x.field, k: s.a.k };
  return undefined;
}

function describeValue(v: Value | undefined): string {
  return v?.kind === 'field' ? v.field : '';
}

function describe(ins: Insn, jump: string, s: State | undefined, options: AnnotateOptions, endian: Endian): string {
  const info = opcodeInfo(ins.code)!;
  if (jump === 'return') {
    if (info.operand === 'k') return describeRet(ins.k);
    return s?.a.kind === 'const' ? describeRet(s.a.k) : '';
  }
  if (jump === 'cond') {
    const c = s && comparison(ins, s);
    return (c && describeCompare(opOf(ins.code), c.field, c.k, s.arch, options)) ?? '';
  }
  if (jump === 'always') return '';
  switch (info.operand) {
    case 'abs':
      if (sizeOf(ins.code) !== BPF_SIZE.W) return '';
      return seccompDataField(ins.k, endian) ?? (ins.k >= SECCOMP_DATA.size ? 'past the end of seccomp_data' : 'misaligned');
    case 'mem':
      if (!s || ins.k >= BPF_MEMWORDS) return '';
      return describeValue(info.mnemonic === 'st' ? s.a : info.mnemonic === 'stx' ? s.x : s.m[ins.k]);
    case 'none':
      return info.mnemonic === 'tax' ? describeValue(s?.a) : info.mnemonic === 'txa' ? describeValue(s?.x) : '';
    default:
      return '';
  }
}

/** The disassembly with seccomp annotations (see annotateSeccomp). */
export function disassembleSeccomp(insns: readonly Insn[], options: AnnotateOptions = {}): string {
  const notes = annotateSeccomp(insns, options);
  return disassemble(insns, { annotate: (pc) => notes[pc] || undefined });
}
