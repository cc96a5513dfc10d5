/**
 * The rule indexes of `decide` (src/ir/rule-index.ts) and of verify's exhaustive check
 * (exploreRules in src/analysis/ir-explore.ts) against the plain implementations they replaced,
 * kept here verbatim: a scan of every rule in order, and every rule split on every pending region.
 * Seeded random rule lists mix equalities (often on the same values, so index lists hold several
 * rules) with every other operator, both widths and several arguments.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildPartition, predicateHolds, type Partition, type Predicate } from '../../src/analysis/cells.js';
import { cellIndices, fullRegion, type Region } from '../../src/analysis/explore.js';
import { conditionFormula, exploreRules } from '../../src/analysis/ir-explore.js';
import { conditionPredicates } from '../../src/analysis/ir-predicates.js';
import { WORD_COUNT } from '../../src/analysis/words.js';
import { decideRules, ruleMatches } from '../../src/ir/semantics.js';
import type { CmpOp, Condition, Rule } from '../../src/ir/types.js';
import { condition } from '../../src/ir/operators.js';
import { formatAction, type Action } from '../../src/seccomp/abi.js';

/** mulberry32: a small seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const OPS: readonly CmpOp[] = ['eq', 'eq', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'masked_eq'];
const VALUES = [0n, 1n, 2n, 7n, 0xffn, 0x7fffffffn, 0xffffffffn, 0x100000000n, 0x100000002n, 0xffffffffffffffffn];
const ACTIONS: readonly Action[] = [{ kind: 'allow' }, { kind: 'errno', errno: 1 }, { kind: 'errno', errno: 13 }, { kind: 'log' }];

function randomRules(rnd: () => number, count: number): Rule[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  return Array.from({ length: count }, (_, index) => {
    const conditions = Array.from({ length: 1 + Math.floor(rnd() * 2.5) }, (): Condition => {
      const width = rnd() < 0.3 ? 32 : 64;
      const limit = width === 32 ? 0xffffffffn : 0xffffffffffffffffn;
      const op = pick(OPS);
      const value = pick(VALUES) & limit;
      const arg = Math.floor(rnd() * 3);
      if (op !== 'masked_eq') return condition(arg, op, width, value);
      const mask = pick([0xffn, 0xff00n, 0xffffffff00000000n, 3n]) & limit;
      return condition(arg, op, width, value & mask, mask);
    });
    return { conditions, action: pick(ACTIONS), origin: { index, path: `rules[${index}]` } };
  });
}

// The plain implementations the indexes replaced.
function scanDecide(rules: readonly Rule[], fallback: Action, args: readonly bigint[]): Action {
  for (const rule of rules) if (ruleMatches(rule, args)) return rule.action;
  return fallback;
}

type Formula = ReturnType<typeof conditionFormula>;

function plainSplitPred(partition: Partition, region: Region, p: Predicate): [Region | null, Region | null] {
  const cells = partition[p.word]!.cells;
  const yes = new Uint32Array((cells.length + 31) >>> 5);
  const no = new Uint32Array((cells.length + 31) >>> 5);
  let nYes = 0;
  let nNo = 0;
  for (const i of cellIndices(region[p.word], cells.length)) {
    if (predicateHolds(p, cells[i]!.rep)) {
      yes[i >>> 5] = yes[i >>> 5]! | (1 << (i & 31));
      nYes++;
    } else {
      no[i >>> 5] = no[i >>> 5]! | (1 << (i & 31));
      nNo++;
    }
  }
  const with_ = (s: Uint32Array): Region => region.map((x, w) => (w === p.word ? s : x));
  if (nYes === 0) return [null, region];
  if (nNo === 0) return [region, null];
  return [with_(yes), with_(no)];
}

function plainSplit(partition: Partition, region: Region, f: Formula): { t: Region[]; f: Region[] } {
  switch (f.kind) {
    case 'pred': {
      const [y, n] = plainSplitPred(partition, region, f.pred);
      return { t: y ? [y] : [], f: n ? [n] : [] };
    }
    case 'not': {
      const s = plainSplit(partition, region, f.f);
      return { t: s.f, f: s.t };
    }
    case 'and':
    case 'or': {
      let pending = [region];
      const decided: Region[] = [];
      for (const part of f.fs) {
        const next: Region[] = [];
        for (const r of pending) {
          const s = plainSplit(partition, r, part);
          next.push(...(f.kind === 'and' ? s.t : s.f));
          decided.push(...(f.kind === 'and' ? s.f : s.t));
        }
        pending = next;
      }
      return f.kind === 'and' ? { t: pending, f: decided } : { t: decided, f: pending };
    }
  }
}

function plainExplore(partition: Partition, rules: readonly Rule[], fallback: Action, start: Region, onLeaf: (r: Region, a: Action) => void): void {
  let pending = [start];
  for (const rule of rules) {
    const next: Region[] = [];
    const formula: Formula = { kind: 'and', fs: rule.conditions.map(conditionFormula) };
    for (const r of pending) {
      const s = plainSplit(partition, r, formula);
      for (const t of s.t) onLeaf(t, rule.action);
      next.push(...s.f);
    }
    pending = next;
    if (pending.length === 0) return;
  }
  for (const r of pending) onLeaf(r, fallback);
}

/** The leaves as sorted text: each word's cells (all when unrestricted) and the action. */
function leaves(partition: Partition, run: (onLeaf: (r: Region, a: Action) => void) => void): string[] {
  const out: string[] = [];
  run((r, a) => out.push(`${r.map((s, w) => [...cellIndices(s, partition[w]!.cells.length)].join(',')).join('|')} -> ${formatAction(a)}`));
  return out.sort();
}

const FALLBACK: Action = { kind: 'errno', errno: 38 };

test('decideRules: the same action as a scan in order, on each rule list and argument vector', () => {
  const rnd = random(1);
  for (let round = 0; round < 60; round++) {
    const rules = randomRules(rnd, 16 + Math.floor(rnd() * 40));
    for (let k = 0; k < 200; k++) {
      const args = Array.from({ length: 6 }, () => (rnd() < 0.8 ? VALUES[Math.floor(rnd() * VALUES.length)]! + BigInt(Math.floor(rnd() * 3) - 1) : BigInt(Math.floor(rnd() * 2 ** 32))) & 0xffffffffffffffffn);
      assert.is(formatAction(decideRules(rules, FALLBACK, args)), formatAction(scanDecide(rules, FALLBACK, args)), `round ${round}, args ${args.join(',')}`);
    }
  }
});

test('exploreRules: the same leaves as splitting every pending region on every rule', () => {
  const rnd = random(2);
  for (let round = 0; round < 40; round++) {
    const rules = randomRules(rnd, 1 + Math.floor(rnd() * 40));
    const partition = buildPartition(rules.flatMap((r) => r.conditions.flatMap(conditionPredicates)), WORD_COUNT);
    // the whole space, and starts restricted on an argument's words (as verify's regions are)
    const starts: Region[] = [fullRegion(WORD_COUNT)];
    for (let s = 0; s < 3; s++) {
      const start = [...fullRegion(WORD_COUNT)];
      for (const word of [16 / 4, 20 / 4, 24 / 4].filter(() => rnd() < 0.6)) {
        const count = partition[word]!.cells.length;
        const set = new Uint32Array((count + 31) >>> 5);
        for (let i = 0; i < count; i++) if (rnd() < 0.5) set[i >>> 5] = set[i >>> 5]! | (1 << (i & 31));
        if (set.some((w) => w !== 0)) start[word] = set;
      }
      starts.push(start);
    }
    for (const start of starts) {
      const want = leaves(partition, (on) => plainExplore(partition, rules, FALLBACK, start, on));
      const got = leaves(partition, (on) => exploreRules(partition, rules, FALLBACK, start, on));
      assert.equal(got, want, `round ${round}`);
    }
  }
});

test('exploreRules: 2,000 equalities on one argument, one leaf per value and the rest', () => {
  const rules: Rule[] = Array.from({ length: 2000 }, (_, i) => ({
    conditions: [condition(0, 'eq', 64, BigInt(i * 7))],
    action: ACTIONS[i % 2]!,
    origin: { index: i, path: `rules[${i}]` },
  }));
  const partition = buildPartition(rules.flatMap((r) => r.conditions.flatMap(conditionPredicates)), WORD_COUNT);
  const got = leaves(partition, (on) => exploreRules(partition, rules, FALLBACK, fullRegion(WORD_COUNT), on));
  assert.is(got.filter((l) => l.endsWith(formatAction(FALLBACK))).length, got.length - 2000);
  assert.is(got.length, 2000 + 2001);
});

test.run();
