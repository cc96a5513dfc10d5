/**
 * Random classic-BPF programs and seccomp_data inputs for differential tests (interpreter vs
 * kernel, interpreter vs WebAssembly JIT, validator vs kernel). Everything is driven by a seeded
 * PRNG, so a failure prints its seed and replays exactly.
 *
 * - randomValidProgram: programs the kernel accepts, using every seccomp opcode: loads of every
 *   seccomp_data word, LEN, scratch memory (written before read on every path), X, divisions by
 *   an X that may be zero, shifts, forward jumps including long `ja`s, early returns.
 * - randomInvalidProgram: a valid program with one kernel rule broken (the rule is returned;
 *   `check(program)` reports it).
 * - mutateProgram: one random field change; may or may not stay valid (for acceptance tests).
 * - randomSeccompData: inputs whose values often hit the constants the programs compare with.
 */
import { check, BPF_ERROR, type BpfErrorCode } from '../../src/bpf/validate.js';
import { OPCODES, opcodeInfo, insn, BPF_MAXINSNS, type Insn } from '../../src/bpf/isa.js';
import { AUDIT_ARCH, SECCOMP_RET_ERRNO, MAX_ERRNO } from '../../src/seccomp/abi.js';
import type { SeccompData } from '../../src/seccomp/data.js';

/** A seeded PRNG (mulberry32). */
export interface Rng {
  /** A uniformly random u32. */
  u32(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** A random u64. */
  u64(): bigint;
}

export function makeRng(seed: number): Rng {
  let s = seed >>> 0;
  const u32 = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const int = (n: number): number => Math.floor((u32() / 2 ** 32) * n);
  return {
    u32,
    int,
    chance: (p) => u32() / 2 ** 32 < p,
    pick: (items) => items[int(items.length)]!,
    u64: () => (BigInt(u32()) << 32n) | BigInt(u32()),
  };
}

/** Values programs compare with and inputs contain, so branches go both ways. */
export const INTERESTING_U32: readonly number[] = [
  0, 1, 2, 3, 4, 7, 8, 16, 31, 32, 41, 59, 63, 64, 110, 255, 256, 0x7fff, 0xffff, 0x10000,
  0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, AUDIT_ARCH.AUDIT_ARCH_X86_64,
  AUDIT_ARCH.AUDIT_ARCH_I386, AUDIT_ARCH.AUDIT_ARCH_AARCH64, 0x40000000,
];

/** The few values inputs contain most often (and programs compare with), so `jeq` hits. */
export const COMMON_U32: readonly number[] = [0, 1, 2, 0xffffffff, 0x80000000, 110, 400];

const interestingOrRandom = (rng: Rng): number => (rng.chance(0.6) ? rng.pick(INTERESTING_U32) : rng.u32());

export interface ValidProgramOptions {
  /** Number of instructions (default: 2..40, sometimes up to 600 for long jumps). */
  readonly length?: number;
  /**
   * 'any' (default): RET K with any value (real actions and random u32s) and RET A.
   * 'errno': only RET K of SECCOMP_RET_ERRNO with distinct data (1..MAX_ERRNO-1, and at most
   * one value above MAX_ERRNO, which the kernel caps), so the errno a syscall gets names the
   * return instruction. Divisions by a zero X still return 0 (KILL_THREAD).
   */
  readonly returns?: 'any' | 'errno';
  /** Whether loads of instruction_pointer (offsets 8 and 12) may appear (default true). */
  readonly loadInstructionPointer?: boolean;
}

const SECCOMP_CODES = OPCODES.filter((o) => o.seccomp);
const ALU_OR_LOAD = SECCOMP_CODES.filter((o) => o.jump === 'none');
const COND_JUMPS = SECCOMP_CODES.filter((o) => o.jump === 'cond');
const ACTION_RETS = [0x7fff0000, 0x7ffc0000, 0x7ff00005, 0x7fc00000, 0x00050001, 0x0005ffff, 0x00030007, 0, 0x80000000];

/** A random program the kernel accepts as a seccomp filter. */
export function randomValidProgram(rng: Rng, opts: ValidProgramOptions = {}): Insn[] {
  const n = opts.length ?? (rng.chance(0.1) ? 100 + rng.int(500) : 2 + rng.int(39));
  const words = ALL_WORDS.filter((k) => opts.loadInstructionPointer !== false || (k !== 8 && k !== 12));
  const errnoPool = errnoValues(rng);
  const ret = (): Insn => {
    if (opts.returns === 'errno') return insn(0x06, (SECCOMP_RET_ERRNO | errnoPool()) >>> 0);
    if (rng.chance(0.25)) return insn(0x16);
    return insn(0x06, rng.chance(0.7) ? rng.pick(ACTION_RETS) : rng.u32());
  };
  // Words that differ between inputs of one arch (not `arch`), for loads before comparisons.
  const varying = words.filter((k) => k !== 4);
  const program: Insn[] = [];
  // A prologue that writes a few cells, so later reads of them are valid on every path.
  for (let i = rng.int(3); i > 0 && program.length < n - 1; i--) program.push(insn(rng.chance(0.5) ? 0x02 : 0x03, rng.int(16)));
  if (program.length < n - 1 && rng.chance(0.5)) program.push(insn(0x20, rng.pick(varying)));
  while (program.length < n - 1) {
    const pc = program.length;
    const room = n - 1 - pc; // instructions after this one
    const r = rng.int(100);
    if (r < 5) program.push(ret());
    else if (r < 10 && room > 1) {
      const far = rng.chance(0.2) ? room - 1 : Math.min(room - 1, rng.int(8));
      program.push(insn(0x05, far));
    } else if (r < 40) {
      // Often compare fresh data, and often in the classic filter shape `jxx; ret; ...`, so
      // decisions depend on the input.
      if (room > 2 && rng.chance(0.5)) program.push(insn(0x20, rng.pick(varying)));
      const left = n - 1 - program.length;
      const op = rng.pick(COND_JUMPS);
      const k = op.operand === 'k' ? (rng.chance(0.5) ? rng.pick(COMMON_U32) : interestingOrRandom(rng)) : 0;
      const span = Math.min(left - 1, 255);
      if (left > 2 && rng.chance(0.4)) {
        const skip = 1 + rng.int(Math.min(span, 8));
        program.push(rng.chance(0.5) ? insn(op.code, k, 0, skip) : insn(op.code, k, skip, 0), ret());
      } else {
        const target = (): number => (rng.chance(0.3) ? 0 : rng.chance(0.1) ? span : rng.int(Math.min(span, 10) + 1));
        program.push(insn(op.code, k, target(), target()));
      }
    } else if (r < 55) program.push(insn(0x20, rng.pick(words)));
    else program.push(aluOrLoad(rng, words));
  }
  program.push(ret());
  return fixMemoryReads(program);
}

const ALL_WORDS = Array.from({ length: 16 }, (_, i) => 4 * i);

function aluOrLoad(rng: Rng, words: readonly number[] = ALL_WORDS): Insn {
  const op = rng.pick(ALU_OR_LOAD);
  switch (op.mnemonic) {
    case 'div':
      return insn(op.code, op.operand === 'k' ? 1 + rng.int(rng.chance(0.5) ? 16 : 0xfffffffe) : 0);
    case 'lsh':
    case 'rsh':
      return insn(op.code, op.operand === 'k' ? rng.int(32) : 0);
    case 'ldx':
      // Small X values make `div x` by zero and large shift counts (>= 32) common.
      return insn(op.code, op.operand === 'k' ? (rng.chance(0.5) ? rng.int(40) : interestingOrRandom(rng)) : rng.int(16));
    default:
      if (op.operand === 'abs') return insn(op.code, rng.pick(words));
      if (op.operand === 'mem') return insn(op.code, rng.int(16));
      return insn(op.code, op.operand === 'k' ? interestingOrRandom(rng) : 0);
  }
}

/** Turns every read the kernel would refuse into a write of the same cell. */
function fixMemoryReads(program: Insn[]): Insn[] {
  for (;;) {
    const bad = check(program).filter((e) => e.code === BPF_ERROR.MEM_READ_BEFORE_WRITE);
    if (bad.length === 0) return program;
    for (const { pc } of bad) program[pc] = insn(program[pc]!.code === 0x60 ? 0x02 : 0x03, program[pc]!.k);
  }
}

/** Distinct ERRNO data values for one program: 1..MAX_ERRNO-1, at most once one above MAX_ERRNO. */
function errnoValues(rng: Rng): () => number {
  const used = new Set<number>();
  let capped = false;
  return () => {
    if (!capped && rng.chance(0.05)) {
      capped = true;
      return MAX_ERRNO + 1 + rng.int(0xffff - MAX_ERRNO);
    }
    for (;;) {
      const v = 1 + rng.int(MAX_ERRNO - 1);
      if (!used.has(v)) {
        used.add(v);
        return v;
      }
    }
  };
}

/** Every rule randomInvalidProgram can break (all of BPF_ERROR but malformed fields). */
export const INVALID_RULES: readonly BpfErrorCode[] = Object.values(BPF_ERROR).filter((c) => c !== BPF_ERROR.MALFORMED);

const NON_SECCOMP = OPCODES.filter((o) => !o.seccomp);
const UNKNOWN_U8 = Array.from({ length: 256 }, (_, c) => c).filter((c) => !opcodeInfo(c));

/**
 * A random program with `rule` (default: a random one) broken; `check(program)` reports `rule`
 * (possibly among others, e.g. a non-seccomp `mod #0` also divides by zero).
 */
export function randomInvalidProgram(rng: Rng, rule: BpfErrorCode = rng.pick(INVALID_RULES)): { program: Insn[]; rule: BpfErrorCode } {
  const base = randomValidProgram(rng, { length: 2 + rng.int(30) });
  const at = rng.int(base.length - 1); // never the final return, unless the rule is about it
  const put = (i: Insn): Insn[] => base.map((x, j) => (j === at ? i : x));
  const program = ((): Insn[] => {
    switch (rule) {
      case BPF_ERROR.EMPTY:
        return [];
      case BPF_ERROR.TOO_LONG:
        return [...Array.from({ length: BPF_MAXINSNS + 1 + rng.int(4) - base.length }, () => insn(0x00, rng.u32())), ...base];
      case BPF_ERROR.UNKNOWN_OPCODE:
        return put(insn(rng.chance(0.5) ? rng.pick(UNKNOWN_U8) : 0x100 + rng.int(0xff00), rng.u32()));
      case BPF_ERROR.NOT_IN_SECCOMP: {
        const op = rng.pick(NON_SECCOMP);
        return put(insn(op.code, op.code === 0x94 ? 1 + rng.int(100) : rng.int(64)));
      }
      case BPF_ERROR.LOAD_OUT_OF_RANGE:
        return put(insn(0x20, rng.chance(0.5) ? 64 + 4 * rng.int(100) : 64 + rng.int(0xffffffbf)));
      case BPF_ERROR.LOAD_MISALIGNED:
        return put(insn(0x20, 4 * rng.int(16) + 1 + rng.int(3)));
      case BPF_ERROR.DIVISION_BY_ZERO:
        return put(insn(0x34, 0));
      case BPF_ERROR.SHIFT_TOO_LARGE:
        return put(insn(rng.pick([0x64, 0x74]), 32 + (rng.chance(0.5) ? rng.int(32) : rng.int(0xffffffdf))));
      case BPF_ERROR.MEM_OUT_OF_RANGE:
        return put(insn(rng.pick([0x02, 0x03]), 16 + rng.int(rng.chance(0.5) ? 16 : 0xffffffef)));
      case BPF_ERROR.JUMP_OUT_OF_RANGE: {
        const past = base.length - at - 1; // the first offset that leaves the program
        if (rng.chance(0.4)) return put(insn(0x05, past + rng.int(rng.chance(0.5) ? 3 : 0xffff)));
        const op = rng.pick(COND_JUMPS);
        const good = rng.int(past);
        const bad = Math.min(255, past + rng.int(256 - Math.min(past, 255)));
        if (bad < past) return put(insn(0x05, past)); // offset would not fit a u8: use ja
        return put(insn(op.code, rng.u32(), rng.chance(0.5) ? bad : good, rng.chance(0.5) ? good : bad));
      }
      case BPF_ERROR.NO_FINAL_RETURN:
        return [...base.slice(0, -1), aluOrLoad(rng)];
      case BPF_ERROR.MEM_READ_BEFORE_WRITE:
        // At pc 0 no cell is written yet; elsewhere only if the kernel's dataflow sees it.
        return [insn(rng.pick([0x60, 0x61]), rng.int(16)), ...base];
      case BPF_ERROR.MALFORMED:
        return put({ code: 0x00, jt: 0, jf: 0, k: -1 });
    }
  })();
  // Programs where the broken jump lands in range (rare: both targets good) fall back to ja.
  if (!check(program).some((e) => e.code === rule)) return randomInvalidProgram(rng, rule);
  return { program, rule };
}

/** One random change to one field of one instruction (the result may or may not be valid). */
export function mutateProgram(rng: Rng, program: readonly Insn[]): Insn[] {
  const out = [...program];
  const at = rng.int(out.length);
  const { code, jt, jf, k } = out[at]!;
  switch (rng.int(5)) {
    case 0:
      out[at] = insn(rng.chance(0.7) ? rng.pick(OPCODES).code : rng.int(256), k, jt, jf);
      break;
    case 1:
      out[at] = insn(code ^ (1 << rng.int(8)), k, jt, jf);
      break;
    case 2:
      out[at] = insn(code, rng.chance(0.5) ? k ^ (1 << rng.int(32)) : rng.int(80), jt, jf);
      break;
    case 3:
      out[at] = insn(code, k, rng.int(256), jf);
      break;
    default:
      out[at] = insn(code, k, jt, rng.int(8));
  }
  return out;
}

export interface SeccompDataOptions {
  /** seccomp_data.arch (default: AUDIT_ARCH_X86_64, sometimes another interesting value). */
  readonly arch?: number;
  /** seccomp_data.nr (default: random, often interesting). */
  readonly nr?: number;
}

/** A random system call description; args are often built from interesting 32-bit halves. */
export function randomSeccompData(rng: Rng, opts: SeccompDataOptions = {}): SeccompData {
  const half = (): bigint => BigInt(rng.chance(0.4) ? rng.pick(COMMON_U32) : interestingOrRandom(rng));
  const arg = (): bigint => (rng.chance(0.3) ? rng.u64() : (half() << 32n) | half());
  return {
    nr: opts.nr ?? (rng.chance(0.7) ? rng.int(450) : interestingOrRandom(rng)),
    arch: opts.arch ?? (rng.chance(0.8) ? AUDIT_ARCH.AUDIT_ARCH_X86_64 : interestingOrRandom(rng)),
    instructionPointer: rng.u64(),
    args: Array.from({ length: 6 }, arg),
  };
}
