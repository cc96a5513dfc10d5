/**
 * The code in front of a decision tree (see ./switch.ts for which trees, and why): for A below
 * the table's size it finishes the tree in one step, and other values go on into the tree.
 *
 *  - An exit that is `ret #k` needs no jump at all: k is read from a table in memory by A and
 *    returned, so the common case (a syscall allowed or refused outright) costs two loads and a
 *    well-predicted branch, whatever the mix of syscalls.
 *  - Other exits (argument checks) are reached by a `br_table` indexed by A.
 *  - In the step-counting variant, the steps of the tree's path for A (plus those pending on the
 *    straight line before it) are added from a u16 table first, branch-free; a direct return
 *    also counts its `ret`.
 *
 * The tables live in the module's memory below `heap_base` (data segments), per tree:
 * steps (u16 by A), return values (u32 by A), and whether A's exit is a `ret #k` (u8 by A).
 */
import { BPF_CLASS, BPF_RVAL, classOf, rvalOf, type Insn } from '../bpf/isa.js';
import type { Code, DataSegment } from './instructions.js';
import type { SwitchTable } from './switch.js';

/** Where one tree's tables are in memory, and what they hold. */
interface TreeData {
  readonly steps: number;
  readonly rets: number;
  readonly direct: number;
  /** Return value by A (0 where the exit is not a `ret #k`). */
  readonly retValues: Uint32Array;
  /** 1 where A's exit is a `ret #k`. */
  readonly isDirect: Uint8Array;
  /** Steps by A, filled in while emitting the step-counting variant (they include pending steps). */
  stepCounts: Uint16Array;
}

export interface TableData {
  readonly trees: ReadonlyMap<number, TreeData>;
  /** First byte after the tables, rounded up to `align`: where records may start. */
  readonly end: number;
}

/** Lays out the tables of `switches` from address 0. */
export function tableData(insns: readonly Insn[], switches: readonly SwitchTable[], align: number): TableData {
  const trees = new Map<number, TreeData>();
  let at = 0;
  for (const t of switches) {
    const size = t.exits.length;
    const retValues = new Uint32Array(size);
    const isDirect = new Uint8Array(size);
    t.exits.forEach((e, v) => {
      const ins = insns[e]!;
      if (classOf(ins.code) === BPF_CLASS.RET && rvalOf(ins.code) === BPF_RVAL.K) {
        retValues[v] = ins.k >>> 0;
        isDirect[v] = 1;
      }
    });
    const rets = Math.ceil(at / 4) * 4;
    const steps = rets + 4 * size;
    const direct = steps + 2 * size;
    at = direct + size;
    trees.set(t.root, { steps, rets, direct, retValues, isDirect, stepCounts: new Uint16Array(size) });
  }
  return { trees, end: Math.ceil(at / align) * align };
}

/** The data segments of the tables (little-endian, as WebAssembly loads). */
export function dataSegments(data: TableData): DataSegment[] {
  const out: DataSegment[] = [];
  for (const [root, d] of data.trees) {
    const rets = new DataView(new ArrayBuffer(d.retValues.length * 4));
    const steps = new DataView(new ArrayBuffer(d.stepCounts.length * 2));
    d.retValues.forEach((v, i) => rets.setUint32(i * 4, v, true));
    d.stepCounts.forEach((c, i) => steps.setUint16(i * 2, c, true));
    out.push({ offset: d.rets, bytes: new Uint8Array(rets.buffer), note: `tree at ${root}: return values by A` });
    out.push({ offset: d.steps, bytes: new Uint8Array(steps.buffer), note: `tree at ${root}: steps by A` });
    out.push({ offset: d.direct, bytes: d.isDirect, note: `tree at ${root}: A exits by a ret #k` });
  }
  return out;
}

/** What the emitter (./emit.ts) lends the jump table. */
export interface TableHost {
  readonly code: Code;
  /** Whether this is the step-counting variant. */
  readonly steps: boolean;
  /** Instructions executed on the current straight-line path and not yet added to $steps. */
  readonly pending: number;
  /** Ends the program with the i32 on the stack as its return value (steps already counted). */
  finish(): void;
}

/**
 * Emits the jump table of the tree at `pc`, in front of its first jump. Every exit of the tree
 * is a label (the emitter adds an edge from the root to each).
 */
export function jumpTable(host: TableHost, pc: number, table: SwitchTable, data: TableData): void {
  const { code } = host;
  const d = data.trees.get(pc)!;
  const size = table.exits.length;
  const tree = `$tree${pc}`;
  if (host.steps) for (let v = 0; v < size; v++) d.stepCounts[v] = host.pending + table.steps[v]!;
  code.block(tree).get('$A').const(size).op('i32.ge_u').brIf(tree);
  if (host.steps) {
    // Adds the steps of the tree's path for A, and of the straight line before it.
    code.get('$steps').get('$A').const(1).op('i32.shl').mem('i32.load16_u', d.steps).op('i32.add').set('$steps');
  }
  const directs = d.isDirect.reduce((a, b) => a + b, 0);
  if (directs > 0) {
    if (directs < size) code.get('$A').mem('i32.load8_u', d.direct).if();
    if (host.steps) code.get('$steps').const(1).op('i32.add').set('$steps');
    code.get('$A').const(2).op('i32.shl').mem('i32.load', d.rets);
    host.finish();
    if (directs < size) code.end();
  }
  if (directs < size) code.get('$A').brTable(Array.from(table.exits, (e) => `$pc${e}`), tree);
  code.end();
}
