/**
 * The differential check shared by the compiler tests (fixtures and built-in policies): the
 * compiled program, run by the interpreter, must decide exactly as the IR's own semantics
 * (src/ir/semantics.ts decide) for every nr the tables know and 16 around the edges of each
 * known span (where `newer` starts and stops) on every target arch, for nrs at the ABI edges, and for a foreign arch, with argument values at
 * and around every constant compared. It also walks the taken path of each argument-independent
 * syscall and fails if that path loads an argument (the kernel's allow cache needs that).
 */
import { AUDIT_ARCH, SECCOMP_DATA, actionsEqual, formatAction, type Endian } from '../../src/seccomp/abi.js';
import { writeSeccompData } from '../../src/seccomp/data.js';
import type { Program } from '../../src/bpf/validate.js';
import { InterpreterEvaluator } from '../../src/seccomp/evaluate.js';
import { decide } from '../../src/ir/semantics.js';
import type { PolicyIR } from '../../src/ir/types.js';
import { argVectors, sweepNrs } from './fixtures.js';

export interface Mismatch {
  readonly arch: number;
  readonly nr: number;
  readonly args: readonly bigint[];
  readonly filter: string;
  readonly semantics: string;
}

export interface DifferentialReport {
  readonly cases: number;
  readonly mismatches: readonly Mismatch[];
  /** Argument-independent syscalls whose path loaded an argument word. */
  readonly argLoads: readonly string[];
}

const FOREIGN = AUDIT_ARCH.AUDIT_ARCH_MIPSEL64;
const EDGE_NRS = [0x3fffffff, 0x40000000, 0x40000001, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/** Word offsets a path loads (ld [k]) — a tiny walker for the compiler's instruction subset. */
export function loadsOnPath(program: Program, view: DataView, little: boolean): number[] {
  const loads: number[] = [];
  let pc = 0;
  let a = 0;
  for (;;) {
    const ins = program[pc]!;
    switch (ins.code) {
      case 0x20: // ld [k]
        loads.push(ins.k);
        a = view.getUint32(ins.k, little);
        pc++;
        break;
      case 0x54: // and #k
        a = (a & ins.k) >>> 0;
        pc++;
        break;
      case 0x05:
        pc += 1 + ins.k;
        break;
      case 0x15:
        pc += 1 + (a === ins.k ? ins.jt : ins.jf);
        break;
      case 0x25:
        pc += 1 + (a > ins.k ? ins.jt : ins.jf);
        break;
      case 0x35:
        pc += 1 + (a >= ins.k ? ins.jt : ins.jf);
        break;
      case 0x45:
        pc += 1 + ((a & ins.k) !== 0 ? ins.jt : ins.jf);
        break;
      case 0x06:
        return loads;
      default:
        throw new Error(`loadsOnPath: unexpected opcode 0x${ins.code.toString(16)} at ${pc}`);
    }
  }
}

export function differential(ir: PolicyIR, program: Program, endian: Endian): DifferentialReport {
  const ev = new InterpreterEvaluator(program, endian);
  const mismatches: Mismatch[] = [];
  const argLoads: string[] = [];
  let cases = 0;
  const view = new DataView(new ArrayBuffer(SECCOMP_DATA.size));
  const check = (arch: number, nr: number, args: readonly bigint[]): void => {
    cases++;
    const data = { arch, nr, args, instructionPointer: 0n };
    const got = ev.evaluateOne(data).action;
    const want = decide(ir, data);
    if (formatAction(got) !== formatAction(want)) {
      if (mismatches.length < 50) mismatches.push({ arch, nr, args, filter: formatAction(got), semantics: formatAction(want) });
    }
  };
  const zero = [0n, 0n, 0n, 0n, 0n, 0n];
  for (const s of ir.sections) {
    const byNr = new Map(s.syscalls.map((e) => [e.nr, e]));
    for (const nr of sweepNrs([s])) {
      const entry = byNr.get(nr);
      const vectors = entry ? argVectors(entry.rules) : [zero, [0xffff_ffff_ffff_ffffn, 1n, 2n, 3n, 4n, 5n]];
      for (const args of vectors) check(s.auditArch, nr, args);
      const rules = entry?.rules ?? [];
      const independent =
        rules.length === 0 || rules[0]!.conditions.length === 0 || rules.every((r) => actionsEqual(r.action, s.defaultAction));
      if (independent) {
        // No argument may be loaded on the way to this decision.
        const data = { arch: s.auditArch, nr, args: zero, instructionPointer: 0n };
        writeSeccompData(view, data, endian);
        const loads = loadsOnPath(program, view, endian === 'little');
        if (loads.some((k) => k >= SECCOMP_DATA.args)) argLoads.push(`${s.arch} nr ${nr}: loads ${loads.join(',')}`);
      }
    }
    for (const nr of EDGE_NRS) for (const args of [zero]) check(s.auditArch, nr, args);
  }
  for (let nr = 0; nr < 600; nr += 7) check(FOREIGN, nr, zero);
  for (const nr of EDGE_NRS) check(FOREIGN, nr, zero);
  return { cases, mismatches, argLoads };
}

/** One line per mismatch, for assertion messages. */
export function describe(report: DifferentialReport): string {
  return report.mismatches
    .map((m) => `arch 0x${m.arch.toString(16)} nr ${m.nr} args [${m.args.map((a) => '0x' + a.toString(16)).join(', ')}]: filter ${m.filter}, policy ${m.semantics}`)
    .join('\n');
}
