/**
 * Seeded random policies (IR built directly): random arches of one byte order, random syscalls
 * with up to four rules of up to three conditions at 64-bit edges, random actions. Each compiled
 * filter must decide as the IR's semantics (the shared differential check). A failure names the
 * seed; rerun one with SEED=<n>.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile } from '../../src/compiler/index.js';
import type { Action } from '../../src/seccomp/abi.js';
import type { CmpOp, Condition, PolicyIR, Rule } from '../../src/ir/types.js';
import { condition as makeCondition } from '../../src/ir/operators.js';
import { ARCHES, type ArchName } from '../../src/syscalls/index.js';
import { makeRng, type Rng } from '../support/random-program.js';
import { differential, describe } from './differential.js';
import { policyIR, section } from './fixtures.js';

const U32 = 0xffffffffn;
const EDGES = [0n, 1n, 2n, 0x7fn, U32 - 1n, U32, U32 + 1n, 1n << 32n, 0x1_0000_0005n, 1n << 63n, (1n << 64n) - 2n, (1n << 64n) - 1n];
const OPS: CmpOp[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'masked_eq'];
const LITTLE: ArchName[] = ['x86_64', 'x86', 'x32', 'aarch64', 'arm', 'riscv64', 'ppc64le', 'loongarch64'];

function action(rng: Rng): Action {
  switch (rng.int(6)) {
    case 0:
      return { kind: 'allow' };
    case 1:
      return { kind: 'kill_process' };
    case 2:
      return { kind: 'trap', data: rng.int(4) };
    case 3:
      return { kind: 'log' };
    default:
      return { kind: 'errno', errno: 1 + rng.int(6) };
  }
}

function value(rng: Rng, width: 32 | 64): bigint {
  const v = rng.chance(0.7) ? rng.pick(EDGES) : rng.u64();
  return width === 32 ? v & U32 : v;
}

function condition(rng: Rng): Condition {
  const width = rng.chance(0.3) ? 32 : 64;
  const op = rng.pick(OPS);
  if (op !== 'masked_eq') return makeCondition(rng.int(6), op, width, value(rng, width));
  const mask = value(rng, width);
  return makeCondition(rng.int(6), op, width, rng.chance(0.8) ? value(rng, width) & mask : value(rng, width), mask);
}

function randomPolicy(seed: number): PolicyIR {
  const rng = makeRng(seed);
  const bigEndian = rng.chance(0.15);
  const arches: ArchName[] = bigEndian ? ['s390x'] : [...new Set(Array.from({ length: 1 + rng.int(3) }, () => rng.pick(LITTLE)))];
  let ruleIndex = 0;
  const sections = arches.map((arch) => {
    const names = [...ARCHES[arch].syscalls.keys()];
    const rules: Record<string, Rule[]> = {};
    for (let i = 0, n = rng.int(25); i < n; i++) {
      rules[rng.pick(names)] = Array.from({ length: 1 + rng.int(4) }, () => ({
        conditions: Array.from({ length: rng.int(4) }, () => condition(rng)),
        action: action(rng),
        origin: { index: ruleIndex, path: `rules[${ruleIndex++}]` },
      }));
    }
    return section(arch, { default: action(rng), newer: action(rng), rules });
  });
  return policyIR(action(rng), ...sections);
}

const seeds = process.env.SEED ? [Number(process.env.SEED)] : Array.from({ length: 30 }, (_, i) => 1000 + i);

test(`${seeds.length} random policies: compiled = semantics`, () => {
  let cases = 0;
  for (const seed of seeds) {
    const ir = randomPolicy(seed);
    const r = compile(ir);
    const report = differential(ir, r.program, r.endian);
    cases += report.cases;
    assert.is(describe(report), '', `seed ${seed}`);
    assert.equal(report.argLoads, [], `seed ${seed}`);
    assert.is(JSON.stringify(compile(randomPolicy(seed)).program), JSON.stringify(r.program), `seed ${seed}: deterministic`);
  }
  assert.ok(cases > 10_000, `${cases} cases`);
});

test.run();
