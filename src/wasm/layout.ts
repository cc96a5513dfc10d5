/**
 * Control-flow layout of a classic-BPF program for the WebAssembly emitter: which instructions
 * are jump targets (labels).
 *
 * Classic BPF only jumps forward (kernel/bpf/core.c bpf_check_classic rejects anything else),
 * so a target maps onto the end of a `block` that encloses every instruction before it: one
 * block per target, nested as deep as the program has targets (up to ~4,096), every jump a `br`,
 * the whole program one function. The JIT's encoder (./binary.ts) and V8 take that depth.
 *
 * Invariant: the input is a program the validator accepted (opcodes known, every jump lands
 * inside the program, last instruction a return); this module only re-checks jump bounds.
 */
import { opcodeInfo, type Insn } from '../bpf/isa.js';

/**
 * pc -> 1 when an instruction other than pc-1 falling through reaches pc: a jump of the
 * program (a jump of offset 0 is a fall-through) or one of `extraEdges`, the [from, to] jumps
 * the emitter adds besides the program's own (jump tables).
 */
export function jumpTargets(insns: readonly Insn[], extraEdges: ReadonlyArray<readonly [number, number]> = []): Uint8Array {
  const n = insns.length;
  const isLabel = new Uint8Array(n);
  const mark = (pc: number, target: number) => {
    if (target >= n) throw new Error(`wasm: jump out of the program at pc ${pc} (not a validated program)`);
    if (target !== pc + 1) isLabel[target] = 1;
  };
  for (let pc = 0; pc < n; pc++) {
    const ins = insns[pc]!;
    const info = opcodeInfo(ins.code);
    if (!info) throw new Error(`wasm: unknown opcode 0x${ins.code.toString(16)} at pc ${pc} (not a validated program)`);
    if (info.jump === 'always') mark(pc, pc + 1 + ins.k);
    else if (info.jump === 'cond') {
      mark(pc, pc + 1 + ins.jt);
      mark(pc, pc + 1 + ins.jf);
    }
  }
  for (const [from, to] of extraEdges) {
    if (to <= from || to >= n) throw new Error(`wasm: extra edge ${from} -> ${to} is not a forward jump inside the program`);
    isLabel[to] = 1;
  }
  return isLabel;
}
