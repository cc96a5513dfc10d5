/**
 * OCI benchmark: Podman's default profile (x86_64 + x86 + x32, Docker's default
 * capabilities, kernel 6.1), imported with runc's semantics and compiled by seccompile, against
 * the filter libseccomp 2.5 builds from the same profile the way runc does (its default layout,
 * and the binary tree runc asks for with more than 32 rules, CTL_OPTIMIZE=2): instructions,
 * instructions executed per x86_64 syscall 0..460 (mean, worst) and over a typical mix, measured
 * by our interpreter on both programs (runc's -ENOSYS stub in front of libseccomp's not counted),
 * compile time, and decisions where the filters differ (expected 0).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { Program } from '../src/bpf/validate.js';
import { DOCKER_DEFAULT_CAPS } from '../src/oci/index.js';
import { InterpreterEvaluator } from '../src/seccomp/evaluate.js';
import { buildReference, hasPythonSeccomp } from '../test/support/libseccomp-reference.js';
import { comparisonInputs } from '../test/support/oci-inputs.js';
import type { BenchReport } from './run.js';
import { loadDist } from './dist.js';
import { MIX, median, x86_64Paths } from './paths.js';

const here = dirname(fileURLToPath(import.meta.url));
const PROFILE = join(here, '..', 'test', 'fixtures', 'oci', 'podman-default.json');
const OPTIONS = { arch: 'x86_64', kernel: '6.1' } as const;

export default async function bench(): Promise<BenchReport> {
  // Timed from the built package, as users run it.
  const { compile, importOciProfile } = await loadDist();
  const text = readFileSync(PROFILE, 'utf8');
  const imported = importOciProfile(text, OPTIONS);
  if (!imported.ir) throw new Error('podman-default.json does not import');
  const ir = imported.ir;
  for (let i = 0; i < 5; i++) compile(ir);
  const compileMs: number[] = [];
  const importMs: number[] = [];
  let program!: Program;
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    const again = importOciProfile(text, OPTIONS).ir!;
    const t1 = performance.now();
    program = compile(again).program;
    const t2 = performance.now();
    importMs.push(t1 - t0);
    compileMs.push(t2 - t1);
  }
  const ours = x86_64Paths(program);
  const rows: (string | number)[][] = [
    ['seccompile', program.length, ours.mean, ours.worst, ours.mix, median(compileMs), median(importMs), '0'],
  ];
  const notes: string[] = [];
  if (hasPythonSeccomp()) {
    const evOurs = new InterpreterEvaluator(program, 'little');
    for (const optimize of [0, 2] as const) {
      const times: number[] = [];
      const ref = buildReference({ profile: text, kernel: OPTIONS.kernel, caps: DOCKER_DEFAULT_CAPS, optimize });
      times.push(ref.ms);
      for (let i = 0; i < 4; i++) times.push(buildReference({ profile: text, kernel: OPTIONS.kernel, caps: DOCKER_DEFAULT_CAPS, optimize }).ms);
      let differ = 0;
      for (const arch of imported.arches) {
        for (const d of comparisonInputs(ir, arch)) if (evOurs.evaluateOne(d).ret >>> 0 !== ref.decide(d) >>> 0) differ++;
      }
      const p = x86_64Paths(ref.program);
      rows.push([optimize === 2 ? 'libseccomp 2.5 binary tree' : 'libseccomp 2.5 default', ref.program.length, p.mean, p.worst, p.mix, median(times), '', String(differ)]);
    }
  } else notes.push('python3-seccomp missing: libseccomp rows skipped');
  return {
    title: "OCI: Podman's default profile (x86_64+x86+x32), seccompile vs libseccomp as runc builds it",
    columns: ['compiler', 'insns', 'mean path', 'worst path', 'mix path', 'compile ms', 'import ms', 'differ'],
    rows,
    notes: [
      "profile: test/fixtures/oci/podman-default.json, Docker's default capabilities, kernel 6.1, native x86_64",
      'paths: instructions our interpreter executes, x86_64 nrs 0..460 with zero arguments; mix: mean over ' + MIX.join(', '),
      "libseccomp's program as exported (runc's -ENOSYS stub, ~10 instructions in front, not counted)",
      'compile ms: ours = compile(ir) from dist/, in-process (median of 30), import ms = JSON -> IR; libseccomp = rule building + export_bpf in Python (median of 5)',
      'differ: decisions that differ on every x86_64/x86/x32 nr and boundary arguments (runc stub applied to libseccomp)',
      `fastest of 30: compile ${Math.min(...compileMs).toFixed(2)} ms, import ${Math.min(...importMs).toFixed(2)} ms (medians move with the load of a shared machine)`,
      'targets: <= 1125 insns, mean <= 12.5, worst <= 16, compile < 5 ms',
      ...notes,
    ],
  };
}
