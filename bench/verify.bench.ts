/**
 * `verify` and `diff` cost: how long `seccompile verify` takes for the `default`
 * built-in policy (policies/default.ts, compiled for x86_64 + x86 + x32 and for aarch64 + arm),
 * split into the sweep (concrete cases through the interpreter) and the exhaustive region check,
 * with the number of cases and regions; and the time of exact diffs (the policy's filter against
 * its shipped .bpf, libseccomp's linear against its binary-tree build of one profile).
 */
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadPolicyFile } from '../src/loader/policy-file.js';
import { loadFilterBytes, loadPolicy } from '../src/testing/load.js';
import type { BenchReport } from './run.js';
import { loadDist } from './dist.js';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/** Median wall time of `runs` calls, in ms, after one warm-up call. */
function median(runs: number, f: () => void): number {
  f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

export default async function bench(): Promise<BenchReport[]> {
  // Timed from the built package, as users run it.
  const { diffFilters, verifyFilter } = await loadDist();
  const { spec } = await loadPolicyFile(here('../policies/default.ts'));
  const verifyRows: (string | number)[][] = [];
  for (const arches of [['x86_64', 'x86', 'x32'], ['aarch64', 'arm']]) {
    const loaded = loadPolicy(spec, { arch: arches });
    const sweepOnly = median(5, () => verifyFilter(loaded.ir!, loaded, { exhaustive: false }));
    let report = verifyFilter(loaded.ir!, loaded);
    const total = median(5, () => {
      report = verifyFilter(loaded.ir!, loaded);
    });
    verifyRows.push([arches.join(' + '), loaded.program.length, report.cases, report.regions, report.mismatches, total, sweepOnly]);
  }
  const diffRows: (string | number)[][] = [];
  const pairs: [string, string, string][] = [
    ['default.ts (x86_64) vs bpf/default.x86_64.bpf', 'policy', '../bpf/default.x86_64.bpf'],
    ['libseccomp linear vs binary tree', '../test/analysis/fixtures/libseccomp-linear.bpf', '../test/analysis/fixtures/libseccomp-tree.bpf'],
  ];
  for (const [name, a, b] of pairs) {
    const fa = a === 'policy' ? loadPolicy(spec, { arch: ['x86_64', 'x86', 'x32'] }) : loadFilterBytes(readFileSync(here(a)));
    const fb = loadFilterBytes(readFileSync(here(b)));
    let r = diffFilters(fa, fb);
    const ms = median(5, () => {
      r = diffFilters(fa, fb);
    });
    diffRows.push([name, `${fa.program.length} / ${fb.program.length}`, r.method, r.compared, r.differences.length, ms]);
  }
  return [
    {
      title: 'verify: the default built-in policy against its compiled filter',
      columns: ['arches', 'instructions', 'cases', 'regions', 'mismatches', 'verify ms', 'sweep only ms'],
      rows: verifyRows,
      notes: [
        'verifyFilter from dist/, in-process, median of 5 after a warm-up; policy loading and compiling not included.',
        'cases: the sweep (every known nr and 16 around the edges of each known span per target arch, and a foreign arch, arguments around each constant);',
        'regions: the exhaustive check (each region of the input space decided once: covers every input).',
      ],
    },
    {
      title: 'diff: exact comparison of two filters over every input',
      columns: ['pair', 'instructions', 'method', 'regions', 'differences', 'ms'],
      rows: diffRows,
      notes: ['In-process, median of 5 after a warm-up.'],
    },
  ];
}
