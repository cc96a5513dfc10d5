/**
 * verifyFilter: compiled fixtures match their IR exhaustively; a broken filter is caught with the
 * smallest counterexample, by the sweep and by the exhaustive check (also where the sweep's
 * values cannot see the difference).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verifyFilter } from '../../src/analysis/verify.js';
import { compile } from '../../src/compiler/index.js';
import { allow, arg, errno, kill, policy } from '../../src/dsl/index.js';
import type { RuleSpec } from '../../src/ir/spec.js';
import { normalize } from '../../src/ir/normalize.js';
import type { PolicyIR } from '../../src/ir/types.js';
import { validate } from '../../src/bpf/validate.js';
import { insn } from '../../src/bpf/isa.js';
import { ARCHES } from '../../src/syscalls/index.js';
import { FIXTURES } from '../compiler/fixtures.js';

function irOf(rules: readonly RuleSpec[], arch: readonly ('x86_64' | 'x86' | 'x32')[] = ['x86_64']): PolicyIR {
  const n = normalize(policy({ default: allow(), arch, rules }));
  assert.ok(n.ir, n.diagnostics.map((d) => d.message).join('\n'));
  return n.ir!;
}

for (const [name, make] of Object.entries(FIXTURES)) {
  test(`${name}: the compiled filter matches the IR on every input`, () => {
    const ir = make();
    const r = verifyFilter(ir, compile(ir));
    assert.is(r.exhaustive, true, r.reasons.join());
    assert.is(r.mismatches, 0);
    assert.ok(r.cases > 1000 && r.regions > 0);
    for (const s of ir.sections) assert.ok(r.perArch.some((p) => p.arch === s.arch && p.cases > 0), s.arch);
    assert.ok(r.perArch.some((p) => p.arch === 'other' && p.cases > 0), 'a foreign arch is checked');
  });
}

test('a mutated constant: the smallest counterexample', () => {
  const ir = irOf([errno('EACCES').on('socket').when(arg(0).int.eq(2))]);
  const compiled = compile(ir);
  const insns = [...compiled.program];
  const at = insns.findIndex((i) => i.code === 0x15 && i.k === 2);
  insns[at] = { ...insns[at]!, k: 3 };
  const r = verifyFilter(ir, { program: validate(insns), endian: compiled.endian });
  assert.ok(r.mismatches >= 2);
  const c = r.counterexample!;
  assert.is(c.arch, 'x86_64');
  assert.is(c.syscall, 'socket');
  assert.is(c.data.nr, ARCHES.x86_64.syscalls.get('socket'));
  assert.equal(c.data.args, [2n, 0n, 0n, 0n, 0n, 0n]);
  assert.equal(c.filter, { kind: 'allow' });
  assert.equal(c.policy, { kind: 'errno', errno: 13 });
});

test('a difference no swept value touches is still found by the exhaustive check', () => {
  const ir = irOf([allow('read')]);
  // the filter of a policy that also kills read(_, 0x5555): the sweep tries read only with plain arguments
  const other = compile(irOf([kill().on('read').when(arg(1).eq(0x5555)), allow('read')]));
  const r = verifyFilter(ir, other);
  assert.is(r.exhaustive, true);
  const c = r.counterexample!;
  assert.is(c.syscall, 'read');
  assert.equal(c.data.args, [0n, 0x5555n, 0n, 0n, 0n, 0n]);
  assert.equal(c.filter, { kind: 'kill_process' });
  assert.equal(c.policy, { kind: 'allow' });
});

test('x86_64 + x86 + x32: every target arch is summarised', () => {
  const ir = irOf([errno('EPERM').on('ptrace'), allow('read')], ['x86_64', 'x86', 'x32']);
  const r = verifyFilter(ir, compile(ir));
  assert.is(r.mismatches, 0);
  assert.equal(r.perArch.map((p) => p.arch), ['x86', 'x86_64', 'x32', 'other']);
});

test('a filter that is not compare-only gets the sweep only, and says why', () => {
  const ir = irOf([]);
  // allow everything, but through an ADD on nr
  const program = validate([insn(0x20, 0), insn(0x04, 1), insn(0x06, 0x7fff0000)]);
  const r = verifyFilter(ir, { program, endian: 'little' });
  assert.is(r.exhaustive, false);
  assert.match(r.reasons.join(), /arithmetic on loaded data/);
  assert.ok(r.mismatches > 0, 'foreign arches are allowed by this filter, killed by the policy');
});

test.run();
