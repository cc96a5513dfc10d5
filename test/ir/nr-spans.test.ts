/**
 * src/ir/nr-spans.ts: membership in known spans, and the probe sweep (every table number, the
 * edges of each known span +-margin, clamped, merged), table-driven.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inNrSpans, nrSweep, sectionSweep } from '../../src/ir/nr-spans.js';
import type { ArchSection } from '../../src/ir/types.js';
import { ARCHES } from '../../src/syscalls/index.js';

const ARM = [
  { start: 0, end: 472 },
  { start: 0xf0000, end: 0xf0007 },
];

const MEMBERSHIP: [number, boolean][] = [
  [0, true],
  [471, true],
  [472, false],
  [0xeffff, false],
  [0xf0000, true],
  [0xf0006, true],
  [0xf0007, false],
  [-1, false],
];
for (const [nr, known] of MEMBERSHIP) {
  test(`inNrSpans(arm, ${nr})`, () => assert.is(inNrSpans(ARM, nr), known));
}

const SWEEPS: [string, Parameters<typeof nrSweep>, [number, number][]][] = [
  ['arm: two ranges, no million numbers between', [ARM, 16, 0], [[0, 487], [0xeffff - 15, 0xf0006 + 16]]],
  ['clamped at the floor', [[{ start: 100, end: 110 }], 16, 100], [[100, 125]]],
  ['overlapping and touching spans merge', [[{ start: 50, end: 60 }, { start: 0, end: 10 }, { start: 26, end: 30 }], 16, 0], [[0, 75]]],
  ['never past 2^32 - 1', [[{ start: 0xfffffff0, end: 2 ** 32 }], 16, 0], [[0xffffffe0, 0xffffffff]]],
  ['empty spans are ignored', [[{ start: 5, end: 5 }], 16, 0], []],
];
for (const [what, args, want] of SWEEPS) {
  test(`nrSweep: ${what}`, () => assert.equal(nrSweep(...args), want));
}

test("sectionSweep: the arch's table numbers, plus the edges of an imported span", () => {
  const a = ARCHES.arm;
  const imported: ArchSection = {
    arch: 'arm',
    auditArch: a.auditArch,
    nrBase: 0,
    knownNrs: [{ start: 0, end: 0xf0006 }], // runc's stub above set_tls
    syscalls: [],
    defaultAction: { kind: 'allow' },
    newer: { kind: 'errno', errno: 38 },
    endian: 'little',
  };
  assert.equal(sectionSweep([imported]), [[0, 487], [0xeffff - 15, 0xf0006 + 16]]);
  assert.equal(sectionSweep([]), []);
});

test.run();
