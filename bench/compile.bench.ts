/**
 * Compiler benchmark: for large real policies, our filter against libseccomp's
 * (Debian's python3-seccomp building the same rules, in its default layout and its binary-tree
 * layout, CTL_OPTIMIZE=2): total instructions, executed instructions per syscall (our
 * interpreter on both filters: mean and worst over x86_64 nrs 0..460, mean over a typical mix),
 * and compile time (ours in-process from the IR; libseccomp's rule building + export timed
 * inside Python). Also counts decisions where the two filters disagree (expected 0).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { decode } from '../src/bpf/encode.js';
import { validate, type Program } from '../src/bpf/validate.js';
import { InterpreterEvaluator } from '../src/seccomp/evaluate.js';
import { actionsEqual, formatAction, type Action } from '../src/seccomp/abi.js';
import type { PolicyIR, Rule } from '../src/ir/types.js';
import { ARCHES } from '../src/syscalls/index.js';
import type { BenchReport } from './run.js';
import { loadDist } from './dist.js';
import { MIX, median, x86_64Paths, type Paths } from './paths.js';
import { loadOciFile } from '../src/oci/index.js';

/** Podman's default profile (Debian's golang-github-containers-common). */
const PODMAN_PROFILE = '/usr/share/containers/seccomp.json';

/** Timed from the built package, as users run it. */
const { compile } = await loadDist();

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const PYTHON = '/usr/bin/python3';
const X86_64 = ARCHES.x86_64;

interface Measured extends Paths {
  readonly insns: number;
  readonly ms: number;
  readonly program: Program;
}

function ours(ir: PolicyIR): Measured {
  for (let i = 0; i < 5; i++) compile(ir);
  const times: number[] = [];
  let program!: Program;
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    program = compile(ir).program;
    times.push(performance.now() - t0);
  }
  return { insns: program.length, ms: median(times), program, ...x86_64Paths(program) };
}

/**
 * The rules libseccomp should get for one syscall: up to the first unconditional one (later
 * rules can never match), which is dropped when it takes the default action (libseccomp refuses
 * a rule whose action is the default with EACCES).
 */
function effectiveRules(rules: readonly Rule[], fallback: Action): Rule[] {
  const stop = rules.findIndex((r) => r.conditions.length === 0);
  if (stop < 0) return [...rules];
  const kept = rules.slice(0, stop + 1);
  return actionsEqual(rules[stop]!.action, fallback) ? kept.slice(0, -1) : kept;
}

export function libseccompInput(ir: PolicyIR, optimize: 1 | 2): string {
  const first = ir.sections[0]!;
  return JSON.stringify(
    {
      optimize,
      default: first.defaultAction,
      badArch: ir.badArch,
      sections: ir.sections.map((s) => ({
        arch: s.arch,
        rules: s.syscalls.flatMap((e) =>
          effectiveRules(e.rules, s.defaultAction).map((r) => ({
            syscall: e.name,
            action: r.action,
            args: r.conditions.map((c) =>
              c.op === 'masked_eq' ? [c.arg, c.op, Number(c.mask ?? 0n), Number(c.value)] : [c.arg, c.op, Number(c.value), 0],
            ),
          })),
        ),
      })),
    },
    (_k, v: unknown) => v,
  );
}

function libseccomp(ir: PolicyIR, optimize: 1 | 2, dir: string): Measured & { unsupported: string[] } {
  const out = join(dir, `libseccomp-${optimize}.bpf`);
  const input = libseccompInput(ir, optimize);
  const times: number[] = [];
  let unsupported: string[] = [];
  for (let i = 0; i < 5; i++) {
    const res = JSON.parse(execFileSync(PYTHON, [join(here, 'libseccomp-build.py'), out], { input, encoding: 'utf8' })) as { ms: number; unsupported: string[] };
    times.push(res.ms);
    unsupported = res.unsupported;
  }
  const program = validate(decode(readFileSync(out), 'little'));
  return { insns: program.length, ms: median(times), program, unsupported, ...x86_64Paths(program) };
}

/** Decisions (x86_64 0..460 and, where targeted, x86 and x32 numbers; zero arguments) where the two filters differ. */
function disagreements(ir: PolicyIR, a: Program, b: Program): number {
  const ea = new InterpreterEvaluator(a, 'little');
  const eb = new InterpreterEvaluator(b, 'little');
  let n = 0;
  for (const s of ir.sections) {
    for (let nr = s.nrBase; nr <= s.nrBase + 460; nr++) {
      const d = { arch: s.auditArch, nr, args: [], instructionPointer: 0n };
      if (formatAction(ea.evaluateOne(d).action) !== formatAction(eb.evaluateOne(d).action)) n++;
    }
  }
  return n;
}

async function builtinDefault(): Promise<PolicyIR | undefined> {
  const file = join(root, 'policies', 'default.ts');
  if (!existsSync(file) || !existsSync(join(root, 'src', 'loader', 'policy-file.ts'))) return undefined;
  const loader = (await import(join(root, 'src', 'loader', 'policy-file.ts'))) as {
    loadPolicyFile(p: string): Promise<{ spec: unknown; file: string }>;
  };
  const { normalize } = (await import(join(root, 'src', 'ir', 'normalize.ts'))) as {
    normalize(spec: unknown, o: { arches: string[] }): { ir: PolicyIR | undefined };
  };
  const { spec } = await loader.loadPolicyFile(file);
  return normalize(spec, { arches: ['x86_64', 'x86', 'x32'] }).ir;
}

export default async function bench(): Promise<BenchReport[]> {
  const policies: [string, PolicyIR][] = [];
  const notes: string[] = [];
  const def = await builtinDefault().catch((e: unknown) => {
    notes.push(`built-in default: not loaded (${(e as Error).message})`);
    return undefined;
  });
  if (def) policies.push(['default built-in (x86_64+x86+x32)', def]);
  else notes.push('built-in default: policies/default.ts or the policy loader is not there yet');
  if (existsSync(PODMAN_PROFILE)) {
    // Imported as runc would (src/oci), Docker's default capabilities, native arch x86_64.
    const podman = await loadOciFile(PODMAN_PROFILE, { arch: 'x86_64' });
    if (!podman.ir) throw new Error(`${PODMAN_PROFILE}: ${podman.diagnostics.map((d) => d.message).join('; ')}`);
    policies.push([`Podman default profile (${podman.arches.join('+')})`, podman.ir]);
    const native = podman.ir.sections.filter((s) => s.arch === 'x86_64');
    policies.push(['Podman default profile (x86_64 only)', { ...podman.ir, sections: native }]);
  } else notes.push(`${PODMAN_PROFILE} missing (apt install golang-github-containers-common)`);
  const haveLibseccomp = spawnSync(PYTHON, ['-c', 'import seccomp'], { stdio: 'ignore' }).status === 0;
  if (!haveLibseccomp) notes.push('python3-seccomp missing: libseccomp columns skipped');

  const dir = mkdtempSync(join(tmpdir(), 'seccompile-bench-'));
  const rows: (string | number)[][] = [];
  try {
    for (const [name, ir] of policies) {
      const o = ours(ir);
      rows.push([name, 'seccompile', o.insns, o.mean, o.worst, o.mix, o.ms, '']);
      if (!haveLibseccomp) continue;
      for (const opt of [1, 2] as const) {
        const l = libseccomp(ir, opt, dir);
        const differ = disagreements(ir, o.program, l.program);
        const layout = opt === 2 ? 'libseccomp 2.5 binary tree' : 'libseccomp 2.5 default';
        rows.push([name, layout, l.insns, l.mean, l.worst, l.mix, l.ms, `${differ}`]);
        if (l.unsupported.length) notes.push(`${name}, ${layout}: libseccomp refused ${l.unsupported.length} rules (${l.unsupported.slice(0, 3).join('; ')})`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    {
      title: 'compile: seccompile vs libseccomp',
      columns: ['policy', 'compiler', 'insns', 'mean path', 'worst path', 'mix path', 'compile ms', 'differ'],
      rows,
      notes: [
        'paths: instructions executed by our interpreter, x86_64 nrs 0..460 with zero arguments; mix: mean over ' + MIX.join(', '),
        'compile ms: ours = compile(ir) from dist/, in-process, median of 30; libseccomp = rule building + export_bpf inside Python, median of 5',
        'differ: decisions of the two filters that differ (x86_64/x86/x32 nrs 0..460, zero arguments); a rule libseccomp refuses (a syscall its tables lack) shows up here',
        'targets: no longer and no slower than libseccomp\'s binary tree; Podman x86_64+x86+x32: <= 1125 insns, mean <= 12.5, worst <= 16, compile < 5 ms',
        ...notes,
      ],
    },
  ];
}
