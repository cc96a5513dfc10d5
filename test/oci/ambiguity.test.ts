import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkOverlaps, checkRangeBug, candidatePairs, MAX_OVERLAP_ERRORS, type DbRule } from '../../src/oci/ambiguity.js';
import { conditionsOverlap } from '../../src/oci/overlap.js';
import { DiagnosticSink } from '../../src/ir/diagnostics.js';
import type { OciCode } from '../../src/oci/diagnostic.js';
import { importOciProfile } from '../../src/oci/import.js';
import { ARCHES } from '../../src/syscalls/index.js';
import type { CmpOp, Condition } from '../../src/ir/types.js';
import { condition } from '../../src/ir/operators.js';
import { actionToRet, type Action } from '../../src/seccomp/abi.js';

// A small seeded generator (mulberry32), so that failures reproduce.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const OPS: readonly CmpOp[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'masked_eq'];
const ACTIONS: readonly Action[] = [{ kind: 'allow' }, { kind: 'errno', errno: 1 }, { kind: 'log' }];

function randomRules(next: () => number, n: number): DbRule[] {
  const value = () => [0n, 1n, 2n, 3n, 0x100000000n, 0x100000002n, 0xffffffffffffffffn][Math.floor(next() * 7)]!;
  return Array.from({ length: n }, (_, i): DbRule => {
    const conditions: Condition[] = Array.from({ length: 1 + Math.floor(next() * 2) }, () => {
      const op = OPS[Math.floor(next() * OPS.length)]!;
      const arg = Math.floor(next() * 2);
      return op === 'masked_eq' ? condition(arg, op, 64, value() & 3n, 3n) : condition(arg, op, 64, value());
    });
    return { nr: 0, conditions, action: ACTIONS[Math.floor(next() * ACTIONS.length)]!, origin: { index: i, path: `syscalls[${i}]` } };
  });
}

/** The plain pairwise loops the sweep replaces. */
function naiveOverlaps(list: readonly DbRule[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.length; i++)
    for (let j = i + 1; j < list.length; j++)
      if (actionToRet(list[i]!.action) !== actionToRet(list[j]!.action) && conditionsOverlap(list[i]!.conditions, list[j]!.conditions)) out.push(`${j}~${i}`);
  return out;
}

test('candidatePairs contains every overlapping pair; checkOverlaps reports exactly the naive pairs', () => {
  const next = rng(14);
  for (let round = 0; round < 300; round++) {
    const list = randomRules(next, 2 + Math.floor(next() * 7));
    const candidates = new Set([...candidatePairs(list.map((r) => r.conditions))].map(([i, j]) => `${j}~${i}`));
    const naive = naiveOverlaps(list);
    for (const p of naive) assert.ok(candidates.has(p), `round ${round}: pair ${p} missed`);
    const sink = new DiagnosticSink<OciCode>();
    checkOverlaps(ARCHES.x86_64, 0, list, sink);
    const got = sink.list.map((d) => `${d.path.replace(/\D/g, '')}~${d.message.match(/and syscalls\[(\d+)\]/)![1]}`);
    assert.equal(got, naive.slice(0, MAX_OVERLAP_ERRORS), `round ${round}`);
  }
});

test('checkRangeBug warns about the same first pair as the pairwise loops', () => {
  const next = rng(41);
  for (let round = 0; round < 300; round++) {
    const list = randomRules(next, 2 + Math.floor(next() * 6));
    let expected: string | undefined;
    outer: for (let i = 0; i < list.length; i++)
      for (let j = i + 1; j < list.length; j++)
        for (const a of list[i]!.conditions)
          for (const b of list[j]!.conditions) {
            const range = (c: Condition) => ['lt', 'le', 'gt', 'ge'].includes(c.op);
            const below = (c: Condition) => ['lt', 'le'].includes(c.op);
            if (a.arg !== b.arg || !range(a) || !range(b) || a.value >> 32n === b.value >> 32n || (!below(a) && !below(b))) continue;
            expected = `${list[j]!.origin.path} ${a.arg} ${list[i]!.origin.path}`;
            break outer;
          }
    const sink = new DiagnosticSink<OciCode>();
    checkRangeBug(ARCHES.x86_64, 0, list, sink);
    const d = sink.list[0];
    const got = d && `${d.path} ${d.message.match(/argument (\d)/)![1]} ${d.message.match(/here and (\S+)\)/)![1]}`;
    assert.equal(got, expected, `round ${round}`);
  }
});

const profile = (syscalls: object[]) => JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], syscalls });

test('6,000 argument rules on one syscall import without a stack overflow', () => {
  const entries = Array.from({ length: 6000 }, (_, i) => ({ names: ['read'], action: i % 2 ? 'SCMP_ACT_ALLOW' : 'SCMP_ACT_LOG', args: [{ index: 0, value: i, op: 'SCMP_CMP_EQ' }] }));
  const r = importOciProfile(profile(entries), { arch: 'x86_64', kernel: '6.1' });
  assert.equal(r.diagnostics, []);
  assert.equal(r.ir!.sections[0]!.syscalls.find((s) => s.name === 'read')!.rules.length, 6000);
});

test('overlapping rules with different actions: the first pairs, then one line for the rest', () => {
  const entries = Array.from({ length: 3000 }, (_, i) => ({ names: ['read'], action: i % 2 ? 'SCMP_ACT_ALLOW' : 'SCMP_ACT_LOG', args: [{ index: 0, value: i, op: 'SCMP_CMP_GE' }] }));
  const r = importOciProfile(profile(entries), { arch: 'x86_64', kernel: '6.1' });
  assert.is(r.ir, undefined);
  assert.is(r.diagnostics.length, MAX_OVERLAP_ERRORS + 1);
  assert.match(r.diagnostics.at(-1)!.message, /more pairs of rules with different actions overlap/);
});

test('100,000 entries on one syscall (same action) import', () => {
  const entries = Array.from({ length: 100_000 }, () => ({ names: ['read'], action: 'SCMP_ACT_ALLOW' }));
  const r = importOciProfile(profile(entries), { arch: 'x86_64', kernel: '6.1' });
  assert.equal(r.diagnostics, []);
  assert.equal(r.ir!.sections[0]!.syscalls.find((s) => s.name === 'read')!.rules.length, 1);
});

test.run();
