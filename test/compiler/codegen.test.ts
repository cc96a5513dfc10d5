/**
 * Stage tests for ./codegen.ts (backward DAG, sharing, trampolines) and ./ranges.ts (gap-free,
 * merged nr ranges), on their own.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CodeGen, MAX_BRANCH } from '../../src/compiler/codegen.js';
import { findRanges, NR_SPACE_END } from '../../src/compiler/ranges.js';
import { TreeBuilder } from '../../src/compiler/tree.js';
import { ownedSpans } from '../../src/ir/semantics.js';
import { validate } from '../../src/bpf/validate.js';
import { ARCHES } from '../../src/syscalls/index.js';
import { ALLOW, KILL, cond, errno, policyIR, rule, section } from './fixtures.js';

const JEQ = 0x15;
const LD = 0x20;

test('shared returns and instructions: identical nodes are created once', () => {
  const cg = new CodeGen();
  const a = cg.ret(1);
  const b = cg.ret(2);
  assert.is(cg.ret(1), a);
  const j1 = cg.jump(JEQ, 5, a, b);
  assert.is(cg.jump(JEQ, 5, a, b), j1);
  assert.is(cg.jump(JEQ, 6, a, a), a, 'a test with equal targets is elided');
  const entry = cg.stmt(LD, 0, j1);
  const prog = cg.emit(entry);
  assert.equal(prog, [
    { code: LD, jt: 0, jf: 0, k: 0 },
    { code: JEQ, jt: 1, jf: 0, k: 5 },
    { code: 6, jt: 0, jf: 0, k: 2 },
    { code: 6, jt: 0, jf: 0, k: 1 },
  ]);
  validate(prog);
});

test('a statement whose successor is not next gets a JA', () => {
  const cg = new CodeGen();
  const target = cg.ret(1);
  cg.ret(2);
  const entry = cg.stmt(LD, 0, target);
  const prog = cg.emit(entry);
  assert.equal(prog[0], { code: LD, jt: 0, jf: 0, k: 0 });
  assert.equal(prog[1], { code: 0x05, jt: 0, jf: 0, k: 1 });
  validate(prog);
});

/** Builds a chain of `n` filler loads between a shared target and the jump that needs it. */
function farJump(targetIsReturn: boolean, n: number) {
  const cg = new CodeGen();
  const far = targetIsReturn ? cg.ret(7) : cg.stmt(LD, 4, cg.ret(7));
  let node = cg.ret(8);
  for (let i = 0; i < n; i++) node = cg.stmt(LD, 4 * (i % 16), node);
  const j = cg.jump(JEQ, 1000, far, node);
  return { cg, prog: cg.emit(cg.stmt(LD, 0, j)) };
}

test('far jumps: a RET target is copied near, anything else gets a JA trampoline', () => {
  const r = farJump(true, 300);
  assert.ok(r.prog.length > MAX_BRANCH + 2);
  assert.is(r.cg.returnCopies, 1);
  assert.is(r.cg.trampolines, 0);
  validate(r.prog);
  const t = farJump(false, 300);
  assert.is(t.cg.trampolines, 1);
  validate(t.prog);
  const j = t.prog[1]!;
  assert.is(j.k, 1000);
  const tramp = t.prog[2 + j.jt]!;
  assert.is(tramp.code, 0x05, 'jt lands on the JA');
  assert.equal(t.prog[2 + j.jt + 1 + tramp.k], { code: LD, jt: 0, jf: 0, k: 4 });
});

test('ranges: gap-free over the u32 space, neighbours merged, newer and badArch', () => {
  const ir = policyIR(
    KILL,
    section('x86_64', { default: errno(1), rules: { read: [rule(ALLOW)], write: [rule(ALLOW)], open: [rule(errno(1))], socket: [rule(ALLOW, cond(0, 'eq', 1))] } }),
  );
  const b = new TreeBuilder();
  const ranges = findRanges(b, ownedSpans(ir), ir.badArch);
  const max = ARCHES.x86_64.maxNr;
  assert.equal(
    ranges.map((r) => [r.start, r.end, r.tree.kind === 'return' ? r.tree.action : 'test']),
    [
      [0, 2, ALLOW],
      [2, 41, errno(1)], // open's own errno(1) merges with the default around it
      [41, 42, 'test'],
      [42, max + 1, errno(1)],
      [max + 1, 0x40000000, errno(38)],
      [0x40000000, NR_SPACE_END, KILL],
    ],
  );
});

test('ranges: x86_64 + x32 are cut at the x32 bit', () => {
  const ir = policyIR(KILL, section('x86_64', { default: ALLOW, rules: {} }), section('x32', { default: ALLOW, newer: ALLOW, rules: {} }));
  const b = new TreeBuilder();
  const ranges = findRanges(b, ownedSpans(ir), ir.badArch);
  assert.equal(
    ranges.map((r) => [r.start, r.end]),
    [
      [0, ARCHES.x86_64.maxNr + 1],
      [ARCHES.x86_64.maxNr + 1, 0x40000000],
      [0x40000000, NR_SPACE_END], // x32's default and newer are both ALLOW: merged
    ],
  );
});

test.run();
