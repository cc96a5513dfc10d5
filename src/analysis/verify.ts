/**
 * `verify`: a compiled filter against its policy's own semantics (src/ir/semantics.ts decide).
 *
 * Two checks, both counted in the report:
 *  1. the sweep (./cases.ts): concrete inputs on every target arch and a foreign one, run through
 *     an Evaluator (the interpreter, or a faster engine for the batch) and compared with `decide`;
 *  2. when the filter is compare-only, the exhaustive check: the words are partitioned by the
 *     comparisons of the filter and of the IR (./ir-predicates.ts), the filter is explored into
 *     regions (./explore.ts), and each region, per arch cell and nr cell, is explored again by
 *     the policy's rules for that (arch, nr) (./ir-explore.ts). Both sides are constant on each
 *     resulting region, so agreement there is agreement on all 2^544 inputs.
 * A mismatch is reported with the smallest input showing it (arch order, then nr, then arguments).
 */
import { decide, owningSection } from '../ir/semantics.js';
import { inNrSpans } from '../ir/nr-spans.js';
import type { PolicyIR } from '../ir/types.js';
import { formatAction, retToAction, type Action } from '../seccomp/abi.js';
import type { SeccompData } from '../seccomp/data.js';
import { InterpreterEvaluator, type Evaluator } from '../seccomp/evaluate.js';
import type { Program } from '../bpf/validate.js';
import type { Endian } from '../seccomp/abi.js';
import { ARCH_NAMES, ARCHES, type ArchName } from '../syscalls/index.js';
import { buildPartition, PartitionTooLarge, type Partition } from './cells.js';
import { exploreRules } from './ir-explore.js';
import { policyCases } from './cases.js';
import { dataFromWords, NR_SPLITS, regionMinimum, type Filter } from './diff.js';
import { analyzeShape, cellIndices, explore, fullRegion, TooManyPaths, type Region } from './explore.js';
import { irPredicates } from './ir-predicates.js';
import { ARCH_WORD, NR_WORD, WORD_COUNT } from './words.js';

export interface ArchSummary {
  /** A target arch name, or 'other' (foreign arches and ABIs the policy does not target). */
  readonly arch: ArchName | 'other';
  /** Concrete inputs of the sweep. */
  readonly cases: number;
  /** Regions of the exhaustive check. */
  readonly regions: number;
  readonly mismatches: number;
}

export interface Counterexample {
  readonly arch: ArchName | 'other';
  readonly data: SeccompData;
  /** The syscall's name when `arch` is a target and the nr is known. */
  readonly syscall?: string;
  readonly filter: Action;
  readonly policy: Action;
}

export interface VerifyReport {
  readonly cases: number;
  readonly regions: number;
  /** True when the exhaustive check ran (the filter is compare-only and small enough). */
  readonly exhaustive: boolean;
  /** Why it did not, when it did not. */
  readonly reasons: readonly string[];
  readonly perArch: readonly ArchSummary[];
  readonly mismatches: number;
  /** The smallest mismatching input, if any. */
  readonly counterexample?: Counterexample;
}

export interface VerifyOptions {
  /** The engine for the sweep's batch (default: the interpreter). */
  readonly evaluator?: (program: Program, endian: Endian) => Evaluator;
  /** Give up on the exhaustive check beyond this many regions (default 1,000,000). */
  readonly maxRegions?: number;
  /** ... or beyond this many paths through the filter (default 20,000; each is checked against the rules). */
  readonly maxPaths?: number;
  /** Run the exhaustive check (default true; false: the sweep only). */
  readonly exhaustive?: boolean;
}

class Tally {
  readonly rows = new Map<ArchName | 'other', { cases: number; regions: number; mismatches: number }>();
  best: Counterexample | undefined;
  mismatches = 0;

  constructor(readonly ir: PolicyIR) {
    for (const s of ir.sections) this.rows.set(s.arch, { cases: 0, regions: 0, mismatches: 0 });
    this.rows.set('other', { cases: 0, regions: 0, mismatches: 0 });
  }

  archOf(data: SeccompData): ArchName | 'other' {
    return owningSection(this.ir, data.arch, data.nr)?.arch ?? 'other';
  }

  count(arch: ArchName | 'other', kind: 'cases' | 'regions'): void {
    this.rows.get(arch)![kind]++;
  }

  mismatch(arch: ArchName | 'other', data: SeccompData, filter: Action, policy: Action): void {
    this.mismatches++;
    this.rows.get(arch)!.mismatches++;
    const c: Counterexample = { arch, data, filter, policy, ...syscallOf(arch, data.nr) };
    if (!this.best || smaller(c, this.best)) this.best = c;
  }
}

function syscallOf(arch: ArchName | 'other', nr: number): { syscall?: string } {
  const name = arch === 'other' ? undefined : ARCHES[arch].names.get(nr >>> 0);
  return name ? { syscall: name } : {};
}

const archRank = (a: ArchName | 'other'): number => (a === 'other' ? ARCH_NAMES.length : ARCH_NAMES.indexOf(a));

function smaller(x: Counterexample, y: Counterexample): boolean {
  if (archRank(x.arch) !== archRank(y.arch)) return archRank(x.arch) < archRank(y.arch);
  if (x.data.arch >>> 0 !== y.data.arch >>> 0) return x.data.arch >>> 0 < y.data.arch >>> 0;
  if (x.data.nr >>> 0 !== y.data.nr >>> 0) return x.data.nr >>> 0 < y.data.nr >>> 0;
  for (let i = 0; i < 6; i++) {
    const a = x.data.args[i] ?? 0n;
    const b = y.data.args[i] ?? 0n;
    if (a !== b) return a < b;
  }
  return false;
}

/** Checks `filter` against `decide(ir, ...)` (see the file header). */
export function verifyFilter(ir: PolicyIR, filter: Filter, options: VerifyOptions = {}): VerifyReport {
  const tally = new Tally(ir);
  const inputs = policyCases(ir);
  const evaluator = options.evaluator?.(filter.program, filter.endian) ?? new InterpreterEvaluator(filter.program, filter.endian);
  const results = evaluator.evaluateBatch(inputs);
  inputs.forEach((data, i) => {
    const arch = tally.archOf(data);
    tally.count(arch, 'cases');
    const got = results[i]!.action;
    const want = decide(ir, data);
    if (formatAction(got) !== formatAction(want)) tally.mismatch(arch, data, got, want);
  });

  const reasons = options.exhaustive === false ? ['the exhaustive check was turned off'] : [...analyzeShape(filter.program, filter.endian).unsupported];
  let regions = 0;
  if (reasons.length === 0) {
    try {
      regions = exhaustive(ir, filter, tally, options.maxRegions ?? 1_000_000, options.maxPaths ?? 20_000);
    } catch (e) {
      if (e instanceof PartitionTooLarge || e instanceof TooManyPaths) reasons.push(e.message);
      else throw e;
      regions = 0;
      for (const row of tally.rows.values()) row.regions = 0;
    }
  }
  const perArch = [...tally.rows].map(([arch, r]) => ({ arch, ...r })).filter((r) => r.cases + r.regions > 0 || r.arch !== 'other');
  return {
    cases: inputs.length,
    regions,
    exhaustive: reasons.length === 0,
    reasons,
    perArch,
    mismatches: tally.mismatches,
    ...(tally.best ? { counterexample: tally.best } : {}),
  };
}

function exhaustive(ir: PolicyIR, filter: Filter, tally: Tally, maxRegions: number, maxLeaves: number): number {
  const shape = analyzeShape(filter.program, filter.endian);
  const partition = buildPartition([...shape.predicates, ...irPredicates(ir)], WORD_COUNT, NR_SPLITS);
  const archCells = partition[ARCH_WORD]!.cells;
  const nrCells = partition[NR_WORD]!.cells;
  let regions = 0;
  explore(filter.program, filter.endian, partition, fullRegion(WORD_COUNT), (region, ret) => {
    const got = retToAction(ret);
    for (const ai of cellIndices(region[ARCH_WORD], archCells.length)) {
      for (const ni of cellIndices(region[NR_WORD], nrCells.length)) {
        const one = [...region];
        one[ARCH_WORD] = single(ai, archCells.length);
        one[NR_WORD] = single(ni, nrCells.length);
        regions += checkRegion(ir, partition, one, archCells[ai]!.rep, nrCells[ni]!.rep, got, tally);
        if (regions > maxRegions) throw new TooManyPaths(`more than ${maxRegions.toLocaleString('en-US')} regions`);
      }
    }
  }, { maxLeaves });
  return regions;
}

/** A cell set holding one cell. */
function single(i: number, count: number): Uint32Array {
  const set = new Uint32Array((count + 31) >>> 5);
  set[i >>> 5] = (1 << (i & 31)) >>> 0;
  return set;
}

/**
 * Decides the policy on every region its rules for (arch, nr) tell apart within `region` (one
 * arch cell, one nr cell, where the filter returns `got`); returns how many.
 */
function checkRegion(ir: PolicyIR, partition: Partition, region: Region, arch: number, nr: number, got: Action, tally: Tally): number {
  const section = owningSection(ir, arch, nr);
  const name = section?.arch ?? 'other';
  const entry = section && inNrSpans(section.knownNrs, nr) ? section.syscalls.find((e) => e.nr === nr >>> 0) : undefined;
  let n = 0;
  const leaf = (r: Region, want: Action): void => {
    n++;
    tally.count(name, 'regions');
    if (formatAction(got) === formatAction(want)) return;
    const words = Array.from({ length: WORD_COUNT }, (_, w) => regionMinimum(partition, r, w));
    tally.mismatch(name, dataFromWords(words), got, want);
  };
  if (entry && section) exploreRules(partition, entry.rules, section.defaultAction, region, leaf);
  else {
    const words = Array.from({ length: WORD_COUNT }, (_, w) => regionMinimum(partition, region, w));
    leaf(region, decide(ir, dataFromWords(words)));
  }
  return n;
}
