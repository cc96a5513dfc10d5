/**
 * Comparing two filters over every possible input. For compare-only programs the answer is exact:
 * the words of seccomp_data are partitioned by the comparisons of both programs (./cells.ts), A
 * is explored from the whole input space, B from each region where A returns (./explore.ts), and
 * each resulting region is one decision pair. Otherwise (or when the partition or the number of
 * paths is too large) both programs run on sampled inputs (./sample.ts) and the report says so.
 *
 * Decisions are compared as the kernel acts on them (retToAction: ERRNO data capped at MAX_ERRNO,
 * unknown actions are KILL_PROCESS), not as raw return values.
 */
import type { Program } from '../bpf/validate.js';
import { formatAction, retToAction, X32_SYSCALL_BIT, type Action, type Endian } from '../seccomp/abi.js';
import type { SeccompData } from '../seccomp/data.js';
import { InterpreterEvaluator } from '../seccomp/evaluate.js';
import { archForAudit, ARCHES, ARCH_NAMES, type ArchName } from '../syscalls/index.js';
import { buildPartition, PartitionTooLarge, type Partition, type Predicate } from './cells.js';
import { analyzeShape, cellIndices, explore, fullRegion, TooManyPaths, type Region } from './explore.js';
import { describeArgs, formatValue } from './regions.js';
import { sampleInputs } from './sample.js';
import { ARCH_WORD, NR_WORD, WORD_COUNT } from './words.js';

/** A validated program and the byte order it reads seccomp_data in. */
export interface Filter {
  readonly program: Program;
  readonly endian: Endian;
}

/** One region of inputs where the two filters decide differently. */
export interface Difference {
  /** 'x86_64', 'arch 0x40000003' (a compared AUDIT_ARCH we do not name), or 'other arches'. */
  readonly arch: string;
  readonly archName?: ArchName;
  /** Raw seccomp_data.nr range [lo, hi]. */
  readonly nr: readonly [number, number];
  /** The syscall's name on `archName` when the range is one known syscall. */
  readonly syscall?: string;
  /** The region's constraints on the arguments, '' when the decisions differ whatever they are. */
  readonly args: string;
  readonly a: Action;
  readonly b: Action;
  /** The smallest input of the region. */
  readonly example: SeccompData;
}

export interface DiffReport {
  readonly method: 'exact' | 'sampled';
  /** Why the comparison was sampled (empty when exact). */
  readonly reasons: readonly string[];
  /** Regions compared (exact) or inputs evaluated (sampled). */
  readonly compared: number;
  /** Sorted by arch (ARCH_NAMES order, then other values), nr, arguments. */
  readonly differences: readonly Difference[];
}

export interface DiffOptions {
  /** Give up on exactness beyond this many regions (default 500,000). */
  readonly maxLeaves?: number;
}

/** Boundaries the nr word always gets, so that no cell mixes x86_64 and x32 numbers. */
export const NR_SPLITS: ReadonlyMap<number, readonly number[]> = new Map([[NR_WORD, [X32_SYSCALL_BIT]]]);

const actionKey = (ret: number): string => formatAction(retToAction(ret));

/** Compares `a` and `b` on every input (exactly when both are compare-only). */
export function diffFilters(a: Filter, b: Filter, options: DiffOptions = {}): DiffReport {
  const shapes = [analyzeShape(a.program, a.endian), analyzeShape(b.program, b.endian)];
  const predicates = shapes.flatMap((s) => s.predicates);
  const reasons = shapes.flatMap((s, i) => s.unsupported.map((r) => `${i === 0 ? 'A' : 'B'}: ${r}`));
  if (reasons.length === 0) {
    try {
      return exactDiff(a, b, predicates, options);
    } catch (e) {
      if (e instanceof PartitionTooLarge || e instanceof TooManyPaths) reasons.push(e.message);
      else throw e;
    }
  }
  return sampledDiff(a, b, predicates, reasons);
}

function exactDiff(a: Filter, b: Filter, predicates: readonly Predicate[], options: DiffOptions): DiffReport {
  const partition = buildPartition(predicates, WORD_COUNT, NR_SPLITS);
  const found: { region: Region; a: number; b: number }[] = [];
  let compared = 0;
  const maxLeaves = options.maxLeaves ?? 500_000;
  explore(
    a.program,
    a.endian,
    partition,
    fullRegion(WORD_COUNT),
    (regionA, retA) => {
      explore(
        b.program,
        b.endian,
        partition,
        regionA,
        (region, retB) => {
          if (++compared > maxLeaves) throw new TooManyPaths(`more than ${maxLeaves.toLocaleString('en-US')} regions`);
          if (actionKey(retA) !== actionKey(retB)) found.push({ region, a: retA, b: retB });
        },
        { maxLeaves },
      );
    },
    { maxLeaves },
  );
  const differences = found.flatMap((f) => expandRegion(partition, f.region, retToAction(f.a), retToAction(f.b)));
  return { method: 'exact', reasons: [], compared, differences: sortDifferences(dedupe(differences)) };
}

/** Per word, the smallest representative among the cells a region allows. */
export function regionMinimum(partition: Partition, region: Region, word: number): number {
  const cells = partition[word]!.cells;
  let best = Infinity;
  for (const i of cellIndices(region[word], cells.length)) best = Math.min(best, cells[i]!.rep);
  return best;
}

/** Builds a SeccompData from the 16 words (see ./words.ts). */
export function dataFromWords(words: readonly number[]): SeccompData {
  const w64 = (lo: number): bigint => (BigInt(words[lo + 1]! >>> 0) << 32n) | BigInt(words[lo]! >>> 0);
  return { nr: words[NR_WORD]!, arch: words[ARCH_WORD]!, instructionPointer: w64(2), args: Array.from({ length: 6 }, (_, i) => w64(4 + 2 * i)) };
}

/**
 * How an arch word cell reads: a named arch, a compared value, or the values nobody compared.
 * Under AUDIT_ARCH_X86_64 every nr from the x32 bit up is x32's (as in the IR's owned spans),
 * including the "negative" ones archForAudit would call x86_64.
 */
function archLabel(lo: number, hi: number, nr: number): { arch: string; archName?: ArchName } {
  if (lo !== hi) return { arch: 'other arches' };
  const a = lo === ARCHES.x86_64.auditArch && nr >>> 0 >= X32_SYSCALL_BIT ? ARCHES.x32 : archForAudit(lo, nr);
  return a ? { arch: a.name, archName: a.name } : { arch: `arch 0x${lo.toString(16).padStart(8, '0')}` };
}

/** The differences of one region, one per arch cell and per syscall name (unnamed nrs as ranges). */
function expandRegion(partition: Partition, region: Region, a: Action, b: Action): Difference[] {
  const out: Difference[] = [];
  const args = describeArgs(partition, region);
  const words = Array.from({ length: WORD_COUNT }, (_, w) => regionMinimum(partition, region, w));
  const archCells = partition[ARCH_WORD]!.cells;
  const nrCells = partition[NR_WORD]!.cells;
  const nrIdx = [...cellIndices(region[NR_WORD], nrCells.length)];
  for (const ai of cellIndices(region[ARCH_WORD], archCells.length)) {
    const ac = archCells[ai]!;
    // contiguous nr spans of the region (cells of nr are intervals unless a program masks nr)
    const spans: [number, number, number][] = [];
    for (const i of nrIdx) {
      const c = nrCells[i]!;
      const last = spans[spans.length - 1];
      if (last && last[1] + 1 === c.lo && archLabel(ac.lo, ac.hi, last[0]).arch === archLabel(ac.lo, ac.hi, c.lo).arch) last[1] = c.hi;
      else spans.push([c.lo, c.hi, c.rep]);
    }
    for (const [lo, hi, rep] of spans) {
      const label = archLabel(ac.lo, ac.hi, rep);
      const example = (nr: number): SeccompData => dataFromWords(words.map((v, w) => (w === ARCH_WORD ? ac.rep : w === NR_WORD ? nr : v)));
      const named = label.archName ? namedIn(label.archName, lo, hi) : [];
      let next = lo;
      const gap = (end: number): void => {
        if (end >= next) out.push({ ...label, nr: [next, end], args, a, b, example: example(next) });
      };
      for (const [nr, name] of named) {
        gap(nr - 1);
        out.push({ ...label, nr: [nr, nr], syscall: name, args, a, b, example: example(nr) });
        next = nr + 1;
      }
      if (next <= hi) gap(hi);
    }
  }
  return out;
}

const sortedNames = new Map<ArchName, readonly [number, string][]>();

/** Known syscalls of `arch` with lo <= nr <= hi, ascending. */
function namedIn(arch: ArchName, lo: number, hi: number): [number, string][] {
  let list = sortedNames.get(arch);
  if (!list) {
    list = [...ARCHES[arch].names].sort((x, y) => x[0] - y[0]);
    sortedNames.set(arch, list);
  }
  const out: [number, string][] = [];
  for (const e of list) if (e[0] >= lo && e[0] <= hi) out.push([e[0], e[1]]);
  return out;
}


function dedupe(ds: readonly Difference[]): Difference[] {
  const seen = new Map<string, Difference>();
  for (const d of ds) {
    const key = `${d.arch}|${d.nr[0]}|${d.nr[1]}|${d.args}|${formatAction(d.a)}|${formatAction(d.b)}`;
    if (!seen.has(key)) seen.set(key, d);
  }
  return [...seen.values()];
}

function archOrder(d: Difference): number {
  if (d.archName) return ARCH_NAMES.indexOf(d.archName);
  return d.arch === 'other arches' ? 1e6 : 1e3 + (d.example.arch >>> 0) / 2 ** 32;
}

function compareArgs(x: readonly bigint[], y: readonly bigint[]): number {
  for (let i = 0; i < 6; i++) {
    const a = x[i] ?? 0n;
    const b = y[i] ?? 0n;
    if (a !== b) return a < b ? -1 : 1;
  }
  return 0;
}

/** By arch (ARCH_NAMES order, then other values), nr, then the examples' arguments. */
export function sortDifferences(ds: readonly Difference[]): Difference[] {
  return [...ds].sort(
    (x, y) =>
      archOrder(x) - archOrder(y) ||
      x.nr[0] - y.nr[0] ||
      compareArgs(x.example.args, y.example.args) ||
      (x.args < y.args ? -1 : x.args > y.args ? 1 : 0),
  );
}

function sampledDiff(a: Filter, b: Filter, predicates: readonly Predicate[], reasons: readonly string[]): DiffReport {
  const inputs = sampleInputs(predicates);
  const ra = new InterpreterEvaluator(a.program, a.endian).evaluateBatch(inputs);
  const rb = new InterpreterEvaluator(b.program, b.endian).evaluateBatch(inputs);
  const out: Difference[] = [];
  const seen = new Set<string>();
  inputs.forEach((d, i) => {
    const x = ra[i]!.action;
    const y = rb[i]!.action;
    if (formatAction(x) === formatAction(y)) return;
    const nr = d.nr >>> 0;
    const label = archLabel(d.arch, d.arch, nr);
    const syscall = label.archName ? ARCHES[label.archName].names.get(nr) : undefined;
    const args = `args [${d.args.map(formatValue).join(', ')}]`;
    const key = `${label.arch}|${nr}|${formatAction(x)}|${formatAction(y)}`;
    if (seen.has(key)) return; // one example per syscall and decision pair
    seen.add(key);
    out.push({ ...label, nr: [nr, nr], ...(syscall ? { syscall } : {}), args, a: x, b: y, example: d });
  });
  return { method: 'sampled', reasons, compared: inputs.length, differences: sortDifferences(out) };
}
