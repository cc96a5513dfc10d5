/**
 * decide(): the IR's meaning, table-driven: arch dispatch, x86_64/x32 ownership, newer, first
 * match wins, ANDed conditions, exact unsigned 64-bit and 32-bit-view comparisons.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { conditionHolds, decide, ownedSpans } from '../../src/ir/semantics.js';
import type { Condition } from '../../src/ir/types.js';
import type { Action } from '../../src/seccomp/abi.js';
import { ARCHES } from '../../src/syscalls/index.js';
import { ALLOW, KILL, cond, errno, policyIR, rule, section, trap } from '../compiler/fixtures.js';

const U64 = (1n << 64n) - 1n;
const X86_64 = ARCHES.x86_64.auditArch;

const conditionCases: [Condition, bigint, boolean][] = [
  [cond(0, 'eq', 5), 5n, true],
  [cond(0, 'eq', 5), 5n + (1n << 32n), false],
  [cond(0, 'eq', 5, 32), 5n + (1n << 32n), true],
  [cond(0, 'ne', 5), 6n, true],
  [cond(0, 'ne', 5), 5n, false],
  [cond(0, 'gt', 0xffffffffn), 0xffffffffn, false],
  [cond(0, 'gt', 0xffffffffn), 1n << 32n, true],
  [cond(0, 'lt', 1n << 32n), 0xffffffffn, true],
  [cond(0, 'lt', 1n << 32n), 1n << 32n, false],
  [cond(0, 'le', U64), U64, true],
  [cond(0, 'ge', 0), 0n, true],
  [cond(0, 'gt', U64), U64, false],
  [cond(0, 'lt', 0), 0n, false],
  [cond(0, 'lt', 5, 32), 0x1_0000_0004n, true],
  [cond(0, 'masked_eq', 0x12_3400_0000n, 64, 0xff_ff00_0000n), 0xab12_34cd_eeeen, true],
  [cond(0, 'masked_eq', 0x12_3400_0000n, 64, 0xff_ff00_0000n), 0xab13_34cd_eeeen, false],
  [cond(0, 'masked_eq', 5, 64, 3), 5n, false],
  [cond(0, 'masked_eq', 0x80000000, 32, 0x80000000), 0xffff_ffff_8000_0000n, true],
  [cond(0, 'masked_eq', 0x80000000, 32, 0x80000000), 0x8000_0000_7fff_ffffn, false],
];

test('conditionHolds: exact unsigned comparisons', () => {
  for (const [c, v, want] of conditionCases) {
    assert.is(conditionHolds(c, [v]), want, `${c.op}(${c.value}, width ${c.width}) on 0x${v.toString(16)}`);
  }
});

const ir = policyIR(
  trap(7),
  section('x86_64', {
    default: errno(1),
    newer: errno(38),
    rules: {
      read: [rule(ALLOW)],
      write: [rule(errno(2), cond(0, 'eq', 1)), rule(errno(3), cond(0, 'eq', 1)), rule(errno(4), cond(0, 'ge', 1), cond(1, 'eq', 0))],
    },
  }),
  section('x32', { default: errno(5), newer: KILL, rules: { read: [rule(errno(6))] } }),
  section('x86', { default: errno(8), rules: {} }),
);

const cases: [string, number, number, bigint[], Action][] = [
  ['read on x86_64', X86_64, 0, [], ALLOW],
  ['first match wins', X86_64, 1, [1n], errno(2)],
  ['ANDed conditions all hold', X86_64, 1, [2n, 0n], errno(4)],
  ['ANDed conditions, one fails', X86_64, 1, [2n, 1n], errno(1)],
  ['no rule for nr', X86_64, 2, [], errno(1)],
  ['newer than the tables', X86_64, ARCHES.x86_64.maxNr + 1, [], errno(38)],
  ['x32 read', X86_64, 0x40000000, [], errno(6)],
  ['x32 default', X86_64, 0x40000001, [], errno(5)],
  ['x32 newer', X86_64, ARCHES.x32.maxNr + 1, [], KILL],
  ['x32 newer, between its common and its own calls', X86_64, 0x40000000 + 472, [], KILL],
  ['x32 own call (rt_sigaction, 512): the default', X86_64, 0x40000000 + 512, [], errno(5)],
  ['nr -1 is an x32 newer number', X86_64, -1, [], KILL],
  ['x86', ARCHES.x86.auditArch, 3, [], errno(8)],
  ['foreign arch', ARCHES.aarch64.auditArch, 0, [], trap(7)],
];

test('decide: table', () => {
  for (const [what, arch, nr, args, want] of cases) assert.equal(decide(ir, { arch, nr, args }), want, what);
});

// A section's knownNrs decide where `newer` applies, not the largest number: arm's regular calls,
// then its private ones at 0x0f0000 (a hole there, 0x0f0000 itself, is not newer).
const arm = policyIR(
  trap(9),
  section('arm', { default: errno(1), newer: errno(38), rules: { set_tls: [rule(ALLOW)] } }),
);
const ARM = ARCHES.arm.auditArch;
const armCases: [string, number, Action][] = [
  ['last regular call', 471, errno(1)],
  ['above it', 472, errno(38)],
  ['below __ARM_NR_BASE', 0xeffff, errno(38)],
  ['__ARM_NR_BASE, no call: a hole in a known span', 0xf0000, errno(1)],
  ['set_tls', 0xf0005, ALLOW],
  ['get_tls', 0xf0006, errno(1)],
  ['above the private calls', 0xf0007, errno(38)],
  ['-1', -1, errno(38)],
];
test('decide: arm, newer below and above the private calls', () => {
  for (const [what, nr, want] of armCases) assert.equal(decide(arm, { arch: ARM, nr, args: [] }), want, what);
});

test('decide: knownNrs as given (an imported profile: one span up to its largest name)', () => {
  const s = { ...section('arm', { default: errno(1), newer: errno(38), rules: {} }), knownNrs: [{ start: 0, end: 0xf0006 }] };
  const imported = policyIR(trap(9), s);
  assert.equal(decide(imported, { arch: ARM, nr: 472, args: [] }), errno(1));
  assert.equal(decide(imported, { arch: ARM, nr: 0xf0006, args: [] }), errno(38));
});

test('x86_64 alone does not own x32 numbers', () => {
  const only = policyIR(trap(9), section('x86_64', { default: ALLOW, rules: {} }));
  assert.equal(decide(only, { arch: X86_64, nr: 0x40000003, args: [] }), trap(9));
  assert.equal(decide(only, { arch: X86_64, nr: 0x3fffffff, args: [] }), errno(38));
  assert.equal(
    ownedSpans(only).map((s) => [s.section.arch, s.start, s.end]),
    [['x86_64', 0, 0x40000000]],
  );
});

test('x32 alone: x86_64 numbers get badArch', () => {
  const only = policyIR(trap(9), section('x32', { default: ALLOW, rules: {} }));
  assert.equal(decide(only, { arch: X86_64, nr: 0, args: [] }), trap(9));
  assert.equal(decide(only, { arch: X86_64, nr: 0x40000000, args: [] }), ALLOW);
});

test.run();
