/**
 * The code in front of a decision tree (see ./switch.ts for which trees, and why): for A below
 * the table's size it finishes the tree in one step, and other values go on into the tree.
 *
 *  - An exit that is `ret #k` needs no jump at all: k is read from a table in memory by A and
 *    returned, so the common case (a syscall allowed or refused outright) costs two loads and a
 *    well-predicted branch, whatever the mix of syscalls.
 *  - Other exits (argument checks) are reached by a `br_table` indexed by A: a `br` to exits in
 *    this chunk, through a small stub (a tail call) to a few exits in later chunks.
 *  - In the step-counting variant, the steps of the tree's path for A (plus those pending on the
 *    straight line before it) are added from a u16 table first, branch-free; a direct return
 *    also counts its `ret`.
 *
 * The tables live in the module's memory below `heap_base` (data segments), per tree:
 * steps (u16 by A), return values (u32 by A), and whether A's exit is a `ret #k` (u8 by A).
 */
import { BPF_CLASS, BPF_RVAL, classOf, rvalOf, type Insn } from '../bpf/isa.js';
import type { Layout } from './layout.js';
import type { SwitchTable } from './switch.js';

/** Exits in other chunks a jump table reaches through stubs (each one more nested block). */
const MAX_STUBS = 16;

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
export function dataSegments(data: TableData): string[] {
  const hex = (b: number) => `\\${b.toString(16).padStart(2, '0')}`;
  const out: string[] = [];
  for (const [root, d] of data.trees) {
    const rets = Array.from(d.retValues, (v) => hex(v & 0xff) + hex((v >>> 8) & 0xff) + hex((v >>> 16) & 0xff) + hex(v >>> 24));
    out.push(`  (data (i32.const ${d.rets}) "${rets.join('')}") ;; tree at ${root}: return values by A`);
    const steps = Array.from(d.stepCounts, (c) => hex(c & 0xff) + hex(c >>> 8));
    out.push(`  (data (i32.const ${d.steps}) "${steps.join('')}") ;; tree at ${root}: steps by A`);
    out.push(`  (data (i32.const ${d.direct}) "${Array.from(d.isDirect, hex).join('')}") ;; tree at ${root}: A exits by a ret #k`);
  }
  return out;
}

/** What the emitter (./wat.ts) lends the jump table. */
export interface TableHost {
  readonly plan: Layout;
  readonly steps: boolean;
  /** Instructions executed on the current straight-line path and not yet added to $steps. */
  readonly pending: number;
  line(...lines: string[]): void;
  /** Transfers control from `from` to `target` (steps already counted). */
  goto(from: number, target: number): void;
  /** Ends the program with the i32 on the stack as its return value (steps already counted). */
  finish(): void;
}

/** Emits the jump table of the tree at `pc`, in front of its first jump. */
export function jumpTable(host: TableHost, pc: number, table: SwitchTable, data: TableData): void {
  const { chunkOf, isLabel } = host.plan;
  const d = data.trees.get(pc)!;
  const size = table.exits.length;
  const tree = `$tree${pc}`;
  const near = (e: number) => chunkOf[e] === chunkOf[pc] && isLabel[e] === 1;
  const jumped = [...new Set(table.exits.filter((_, v) => !d.isDirect[v]))];
  const far = host.steps ? [] : jumped.filter((e) => !near(e)).slice(0, MAX_STUBS);
  const stub = (e: number) => `$to${e}_from${pc}`;
  const target = (e: number) => (near(e) ? `$pc${e}` : far.includes(e) ? stub(e) : tree);
  const handled = (v: number) => d.isDirect[v] === 1 || target(table.exits[v]!) !== tree;
  let any = false;
  for (let v = 0; v < size; v++) {
    if (!handled(v)) continue;
    any = true;
    if (host.steps) d.stepCounts[v] = host.pending + table.steps[v]!;
  }
  if (!any) return;
  host.line(`block ${tree}`, ...far.map((e) => `block ${stub(e)}`).reverse());
  host.line('local.get $A', `i32.const ${size}`, 'i32.ge_u', `br_if ${tree}`);
  if (host.steps) {
    // Values the table does not handle have a 0 here and count their steps in the tree.
    host.line('local.get $steps', 'local.get $A', 'i32.const 1', 'i32.shl', `i32.load16_u offset=${d.steps}`);
    host.line('i32.add', 'local.set $steps');
  }
  const directs = d.isDirect.reduce((a, b) => a + b, 0);
  if (directs > 0) {
    const ret = [
      ...(host.steps ? ['local.get $steps', 'i32.const 1', 'i32.add', 'local.set $steps'] : []),
      'local.get $A',
      'i32.const 2',
      'i32.shl',
      `i32.load offset=${d.rets}`,
    ];
    if (directs < size) host.line('local.get $A', `i32.load8_u offset=${d.direct}`, 'if');
    host.line(...ret);
    host.finish();
    if (directs < size) host.line('end');
  }
  if (directs < size) host.line('local.get $A', `br_table ${[...table.exits].map(target).join(' ')} ${tree}`);
  for (const e of far) {
    host.line(`end ;; ${stub(e)}`);
    host.goto(pc, e);
  }
  host.line(`end ;; ${tree}`);
}
