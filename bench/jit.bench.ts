/**
 * JIT benchmark: evaluations per second of the interpreter, the WebAssembly JIT and a
 * plain C switch interpreter (bench/bpf-interp.c, gcc -O2) on the same programs and the same
 * seccomp_data records; the JIT's one-time compile cost; and `seccompile eval` end to end with
 * either engine, which is where JIT_THRESHOLD (src/cli/seccompile/commands/eval.ts) comes from.
 *
 * Programs: the compiled `default` built-in for x86_64 (x86_64 + x86 + x32 sections), and
 * libseccomp's binary-tree build of Podman's default profile (the shape of the reference
 * reference: Docker's profile, ~1,250 instructions), when python3-seccomp and the profile exist.
 * Inputs: x86_64 nrs 0..460 (the reference set), and a typical mix weighted like a busy
 * server process (read/write/futex/epoll...), with a few i386 calls.
 *
 * Throughputs are the best of several timed rounds (the machine is shared: the best round is the
 * one least disturbed), the engines interleaved round by round, in two passes over all rows,
 * single thread, after warm-up.
 *
 * JIT_BENCH_BASELINE=DIR adds the JIT of another built checkout (DIR/dist, e.g. an export of an
 * earlier commit with `npm run build` run in it), compiled and run in the same rounds, to compare
 * two versions.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { decode, encode } from '../src/bpf/encode.js';
import { validate, type Program } from '../src/bpf/validate.js';
import { writeSeccompData, type SeccompData } from '../src/seccomp/data.js';
import { ARCHES } from '../src/syscalls/index.js';
import type { WasmFilter } from '../src/wasm/jit.js';
import { JIT_THRESHOLD } from '../src/cli/seccompile/commands/eval.js';
import type { BenchReport } from './run.js';
import { loadDist, type Seccompile } from './dist.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const PYTHON = '/usr/bin/python3';
const X86_64 = ARCHES.x86_64;
const X86 = ARCHES.x86;

/** A busy server's syscalls and their relative frequencies. */
const MIX: ReadonlyArray<readonly [string, number]> = [
  ['read', 20], ['write', 15], ['futex', 10], ['epoll_wait', 8], ['recvfrom', 6], ['sendto', 6],
  ['close', 5], ['openat', 5], ['newfstatat', 4], ['mmap', 4], ['clock_gettime', 4], ['fstat', 3],
  ['munmap', 2], ['brk', 2], ['rt_sigaction', 2], ['rt_sigprocmask', 2], ['getpid', 2], ['lseek', 2],
  ['madvise', 1], ['accept4', 1], ['socket', 1], ['connect', 1], ['clone3', 1], ['execve', 1],
];

/** A small deterministic PRNG for the inputs. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

export function records(cases: readonly SeccompData[]): Uint8Array {
  const out = new Uint8Array(cases.length * 64);
  const view = new DataView(out.buffer);
  cases.forEach((d, i) => writeSeccompData(view, d, 'little', i * 64));
  return out;
}

export function inputSets(): Array<[string, SeccompData[]]> {
  const r = lcg(7);
  const args = () => Array.from({ length: 6 }, () => BigInt(r() % 4 === 0 ? r() : r() % 16));
  const sweep: SeccompData[] = [];
  for (let round = 0; round < 64; round++) {
    for (let nr = 0; nr <= 460; nr++) sweep.push({ arch: X86_64.auditArch, nr, args: args(), instructionPointer: 0n });
  }
  const weighted = MIX.flatMap(([name, w]) => Array<string>(w).fill(name));
  const mix: SeccompData[] = [];
  for (let i = 0; i < sweep.length; i++) {
    const i386 = r() % 100 === 0;
    const arch = i386 ? X86 : X86_64;
    const name = weighted[r() % weighted.length]!;
    const nr = arch.syscalls.get(name) ?? arch.syscalls.get('read')!;
    mix.push({ arch: arch.auditArch, nr, args: args(), instructionPointer: 0n });
  }
  return [['x86_64 nrs 0..460', sweep], ['typical mix', mix]];
}

async function defaultProgram(): Promise<Program> {
  const file = join(root, 'bpf', 'default.x86_64.bpf');
  if (existsSync(file)) return validate(decode(readFileSync(file), 'little'));
  const { buildArtifacts } = await import('../scripts/build-policies.js');
  const bpf = (await buildArtifacts('default', 'x86_64')).find((a) => a.path.endsWith('.bpf'))!;
  return validate(decode(bpf.content, 'little'));
}

/** libseccomp's binary-tree (CTL_OPTIMIZE=2) build of Podman's profile for x86_64+x86+x32, or why not. */
export async function libseccompPodman(dir: string): Promise<Program | string> {
  const { PODMAN_PROFILE, podmanIR } = await import('./podman-profile.js');
  if (!existsSync(PODMAN_PROFILE)) return `${PODMAN_PROFILE} missing`;
  if (spawnSync(PYTHON, ['-c', 'import seccomp'], { stdio: 'ignore' }).status !== 0) return 'python3-seccomp missing';
  const { libseccompInput } = await import('./compile.bench.js');
  const out = join(dir, 'podman-libseccomp.bpf');
  execFileSync(PYTHON, [join(here, 'libseccomp-build.py'), out], { input: libseccompInput(podmanIR(['x86_64', 'x86', 'x32']), 2) });
  return validate(decode(readFileSync(out), 'little'));
}

/** CPU time of this process in seconds (time other processes take from us does not count). */
const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/**
 * Rate (units per CPU-second) of one timed round of `fn`, which does `units` units of work each
 * call; the round repeats `fn` for at least `seconds` of CPU time so the clock's resolution does not matter.
 */
function roundRate(units: number, fn: () => void, seconds = 0.05): number {
  const t = cpuSeconds();
  let done = 0;
  let dt = 0;
  do {
    fn();
    done += units;
    dt = cpuSeconds() - t;
  } while (dt < seconds);
  return done / dt;
}

/**
 * Best rate of each engine over `rounds` rounds, the engines taking turns within each round: a
 * burst of load from other processes then slows all of them alike instead of skewing the ratios.
 */
export function bestRates(units: number, rounds: number, fns: ReadonlyArray<() => void>): number[] {
  const best = fns.map(() => 0);
  for (let i = 0; i < rounds; i++) fns.forEach((fn, j) => (best[j] = Math.max(best[j]!, roundRate(units, fn))));
  return best;
}

/**
 * Runs `fn` for at least `seconds` of wall time, then on while it is still getting faster (up to
 * 4 s): V8 compiles the optimized WebAssembly in the background and switches to it between calls,
 * which takes longer when other processes hold the CPUs.
 */
export function warm(seconds: number, units: number, fn: () => void): void {
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) fn();
  let last = roundRate(units, fn, 0.1);
  while (performance.now() - start < 4000) {
    const rate = roundRate(units, fn, 0.1);
    if (rate < last * 1.05) return;
    last = rate;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** The C baseline's rate and return-value checksum, or undefined without gcc. */
export function cInterpreter(dir: string, program: Program, input: Uint8Array): { rate: number; sum: number } | undefined {
  const exe = join(dir, 'bpf-interp');
  if (!existsSync(exe)) {
    if (spawnSync('gcc', ['-O2', '-o', exe, join(here, 'bpf-interp.c')], { stdio: 'ignore' }).status !== 0) return undefined;
  }
  writeFileSync(join(dir, 'p.bpf'), encode(program, 'little'));
  writeFileSync(join(dir, 'r.bin'), input);
  const [rate, sum] = execFileSync(exe, [join(dir, 'p.bpf'), join(dir, 'r.bin'), '30'], { encoding: 'utf8' }).trim().split(' ');
  return { rate: Number(rate), sum: Number(sum) };
}

interface Throughput {
  readonly meanSteps: number;
  readonly interpreter: number;
  readonly jit: number;
  readonly jitSteps: number;
  /** The baseline checkout's JIT (JIT_BENCH_BASELINE), when given. */
  readonly baseline: number | undefined;
  readonly c: number | undefined;
  readonly agree: boolean;
}

/** Passes over all rows (see bench()). */
const PASSES = 2;

/** Each engine's better rate of two measurements of the same row. */
function bestOf(a: Throughput, b: Throughput): Throughput {
  const c = a.c === undefined || b.c === undefined ? (a.c ?? b.c) : Math.max(a.c, b.c);
  return {
    meanSteps: a.meanSteps,
    interpreter: Math.max(a.interpreter, b.interpreter),
    jit: Math.max(a.jit, b.jit),
    jitSteps: Math.max(a.jitSteps, b.jitSteps),
    baseline: a.baseline === undefined || b.baseline === undefined ? undefined : Math.max(a.baseline, b.baseline),
    c,
    agree: a.agree && b.agree,
  };
}

async function throughput(dist: Seccompile, dir: string, program: Program, f: WasmFilter, fb: WasmFilter | undefined, cases: readonly SeccompData[]): Promise<Throughput> {
  const input = records(cases);
  const n = cases.length;
  const it = new dist.Interpreter(program);
  const views = cases.map((_, i) => new DataView(input.buffer, i * 64, 64));
  const rets = new Uint32Array(n);
  let steps = 0;
  const interpret = () => {
    for (let i = 0; i < n; i++) rets[i] = it.run(views[i]!, true);
  };
  interpret();
  for (let i = 0; i < n; i++) {
    it.run(views[i]!, true);
    steps += it.steps;
  }
  warm(0.2, n, interpret);

  const area = f.inputArea(n);
  area.set(input);
  const run = () => f.evaluateBatch(area, n);
  const runSteps = () => f.evaluateBatch(area, n, { steps: true });
  warm(1, n, run);
  warm(0.5, n, runSteps);
  const engines = [interpret, run, runSteps];
  if (fb) {
    const areaBaseline = fb.inputArea(n);
    areaBaseline.set(input);
    const runBaseline = () => fb.evaluateBatch(areaBaseline, n);
    warm(1, n, runBaseline);
    engines.push(runBaseline);
  }
  const [interpreter, jit, jitSteps, baseline] = bestRates(n, 8, engines) as [number, number, number, number | undefined];
  const out = f.evaluateBatch(input, n, { steps: true });
  let agree = out.rets.every((r, i) => r === rets[i]) && out.steps!.reduce((a, b) => a + b, 0) === steps;
  if (fb) agree &&= fb.evaluateBatch(input, n).rets.every((r, i) => r === rets[i]);
  const c = cInterpreter(dir, program, input);
  if (c) agree &&= c.sum === rets.reduce((a, b) => (a + b) >>> 0, 0);
  return { meanSteps: steps / n, interpreter, jit, jitSteps, baseline, c: c?.rate, agree };
}

/**
 * CPU time of `fn` in milliseconds, all of the process's threads (V8 compiles WebAssembly on
 * helper threads): on the shared machine, time other processes take does not count.
 */
async function ms(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = cpuSeconds();
  await fn();
  return (cpuSeconds() - t) * 1000;
}

/**
 * One-time costs of `builds` (this checkout first, then the baseline's): the first compile of the
 * process (it also warms up the JavaScript), then after 3 more 9 timed compiles each, the builds taking turns, and
 * how much of a compile is V8's (WebAssembly.instantiate of the finished binary).
 */
async function compileCost(builds: ReadonlyArray<readonly [string, Seccompile]>, name: string, program: Program, first: boolean): Promise<Array<Array<string | number>>> {
  const firsts: number[] = [];
  for (const [, b] of builds) firsts.push(first ? await ms(() => b.compileWasm(program)) : NaN);
  // Warm-up, so V8 has optimized the compiler's JavaScript for this program's shape.
  for (let i = 0; i < 3; i++) for (const [, b] of builds) await b.compileWasm(program);
  const times = builds.map((): number[] => []);
  const instantiate = builds.map((): number[] => []);
  const binaries = await Promise.all(builds.map(([, b]) => b.compileWasm(program).then((f) => f.binary)));
  // The text `seccompile wasm` prints (BPF comments included): median of 5.
  const wats = builds.map(([, b]) => b.toWat(program));
  const text: number[] = [];
  for (const [, b] of builds) {
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) runs.push(await ms(() => b.toWat(program)));
    text.push(median(runs));
  }
  const wasm = (globalThis as unknown as { WebAssembly: { instantiate(b: Uint8Array): Promise<unknown> } }).WebAssembly;
  for (let i = 0; i < 9; i++) {
    for (const [j, [, b]] of builds.entries()) {
      times[j]!.push(await ms(() => b.compileWasm(program)));
      instantiate[j]!.push(await ms(() => wasm.instantiate(binaries[j]!)));
    }
  }
  return builds.map(([build], j) => {
    const total = median(times[j]!);
    const v8 = median(instantiate[j]!);
    return [
      name, build, program.length, first ? firsts[j]! : '-', total, v8, total - v8,
      j === 0 ? '1x' : `${(total / median(times[0]!)).toFixed(2)}x`, text[j]!, Math.round(wats[j]!.length / 1024), binaries[j]!.length,
    ];
  });
}

/** CPU seconds (user + system) of `bin/seccompile eval FILE --engine ENGINE < input`, a fresh process. */
function evalCpu(file: string, input: string, engine: string): number {
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', join(root, 'bin', 'seccompile'), 'eval', file, '--engine', engine], {
    stdio: [openSync(input, 'r'), 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`seccompile eval failed: ${r.stderr}`);
  const [user, sys] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return user! + sys!;
}

/**
 * `seccompile eval` end to end with each engine, and where the JIT starts to pay: a line through
 * the smallest and largest input sizes gives each engine's fixed and per-case cost.
 */
function evalRows(dir: string, program: Program, cases: readonly SeccompData[], notes: string[]): Array<Array<string | number>> {
  if (!existsSync(join(root, 'dist', 'cli', 'seccompile.js')) || !existsSync('/usr/bin/time')) {
    notes.push('eval rows skipped: needs the built CLI (npm run build) and /usr/bin/time');
    return [];
  }
  const file = join(dir, 'eval.bpf');
  writeFileSync(file, encode(program, 'little'));
  const counts = [100_000, 500_000, 2_000_000];
  const rows: Array<Array<string | number>> = [];
  const fit: Array<[number, number, number]> = [];
  for (const count of counts) {
    const input = join(dir, `cases-${count}.jsonl`);
    const text = Array.from({ length: Math.min(count, cases.length) }, (_, i) => {
      const d = cases[i]!;
      return JSON.stringify({ arch: d.arch, nr: d.nr, args: d.args.map(String) });
    }).join('\n') + '\n';
    writeFileSync(input, text.repeat(Math.ceil(count / cases.length)).split('\n', count).join('\n') + '\n');
    const interp = median([0, 1, 2].map(() => evalCpu(file, input, 'interpreter')));
    const jit = median([0, 1, 2].map(() => evalCpu(file, input, 'jit')));
    rows.push([count, interp, jit, (1e6 * interp) / count, (1e6 * jit) / count]);
    fit.push([count, interp, jit]);
  }
  const [lo, hi] = [fit[0]!, fit[fit.length - 1]!];
  const slope = (i: 1 | 2) => (hi[i] - lo[i]) / (hi[0] - lo[0]);
  const fixed = (i: 1 | 2) => lo[i] - slope(i) * lo[0];
  const saved = slope(1) - slope(2);
  notes.push(
    `fitted: interpreter ${(fixed(1) * 1000).toFixed(0)} ms + ${(slope(1) * 1e6).toFixed(2)} us/case; ` +
      `JIT ${(fixed(2) * 1000).toFixed(0)} ms + ${(slope(2) * 1e6).toFixed(2)} us/case; ` +
      (saved <= 0
        ? 'the JIT saves nothing per case here'
        : fixed(2) <= fixed(1)
          ? 'the JIT costs no more at any size (within noise)'
          : `break-even ~${Math.round((fixed(2) - fixed(1)) / saved).toLocaleString('en-US')} cases`),
  );
  return rows;
}

export default async function bench(): Promise<BenchReport[]> {
  const dir = mkdtempSync(join(tmpdir(), 'seccompile-jit-bench-'));
  const notes: string[] = [];
  const dist = await loadDist();
  const baselineDir = process.env.JIT_BENCH_BASELINE;
  const baseline = baselineDir ? ((await import(pathToFileURL(join(baselineDir, 'dist', 'index.js')).href)) as Seccompile) : undefined;
  const builds: Array<readonly [string, Seccompile]> = [['this', dist], ...(baseline ? [['baseline', baseline] as const] : [])];
  try {
    const programs: Array<[string, Program]> = [['default built-in, x86_64 filter', await defaultProgram()]];
    const podman = await libseccompPodman(dir).catch((e: unknown) => `not built (${(e as Error).message})`);
    if (typeof podman === 'string') notes.push(`Podman profile via libseccomp: ${podman}`);
    else programs.push(['Podman profile, libseccomp binary tree', podman]);

    const costRows: Array<Array<string | number>> = [];
    for (const [name, p] of programs) costRows.push(...(await compileCost(builds, name, p, costRows.length === 0)));

    const rows: Array<Array<string | number>> = [];
    const sets = inputSets();
    const filters = await Promise.all(programs.map(([, p]) => dist.compileWasm(p)));
    const baseFilters = await Promise.all(programs.map(([, p]) => baseline?.compileWasm(p)));
    // PASSES passes over all rows, keeping each engine's best: a stretch of heavy load from other
    // processes (it slows the memory-bound JIT most) then rarely covers every sample of a row.
    const results = new Map<string, Throughput>();
    for (let pass = 0; pass < PASSES; pass++) {
      for (const [i, [, p]] of programs.entries()) {
        for (const [inputs, cases] of sets) {
          const t = await throughput(dist, dir, p, filters[i]!, baseFilters[i], cases);
          const key = `${i} ${inputs}`;
          const prev = results.get(key);
          results.set(key, prev ? bestOf(prev, t) : t);
        }
      }
    }
    for (const [i, [name, p]] of programs.entries()) {
      for (const [inputs] of sets) {
        const t = results.get(`${i} ${inputs}`)!;
        const m = (x: number | undefined) => (x === undefined ? '-' : x / 1e6);
        rows.push([
          name, inputs, p.length, t.meanSteps, m(t.interpreter), m(t.jit), m(t.jitSteps), m(t.baseline), m(t.c),
          t.jit / t.interpreter, t.c ? t.jit / t.c : '-', t.agree ? 'yes' : 'NO',
        ]);
      }
    }
    if (rows.some((r) => r[8] === '-')) notes.push('gcc missing: no C baseline');
    const evalNotes: string[] = [];
    const evals = evalRows(dir, programs[0]![1], sets[1]![1], evalNotes);
    return [
      {
        title: 'JIT: evaluations per CPU-second (millions), single thread',
        columns: ['program', 'inputs', 'insns', 'mean steps', 'interpreter', 'JIT', 'JIT+steps', 'JIT (baseline)', 'C -O2', 'JIT/interp', 'JIT/C', 'agree'],
        rows,
        notes: [
          'All engines from the built package (dist/). interpreter: Interpreter.run over a prepared DataView per record; JIT: WasmFilter.evaluateBatch over its input area',
          '(29,504 records a batch, rets only; JIT+steps also counts instructions); C: bench/bpf-interp.c, gcc -O2, same records.',
          'Best of 2 x 8 rounds of >= 50 ms CPU time each (two passes over all rows), the engines taking turns within a',
          "round, after warm-up (the JIT until V8's optimized code is in: at least 1 s, then on while it still gets faster);",
          'C: best of 2 x 30 passes, CPU time.',
          `JIT (baseline): ${baselineDir ? `the JIT of ${baselineDir}/dist, in the same rounds` : 'set JIT_BENCH_BASELINE=DIR to compare with another built checkout'}.`,
          'agree: JIT rets and steps = interpreter (and the baseline JIT\'s rets), C checksum = interpreter.',
          "Targets: JIT >= 10x the interpreter, >= the C interpreter (the reference measured earlier: ~37 M/s on libseccomp's",
          "binary tree of Docker's profile, x86_64 nrs 0..460, ~15.6 instructions each).",
          ...notes,
        ],
      },
      {
        title: 'JIT: one-time compile cost (CPU ms)',
        columns: ['program', 'build', 'insns', 'first compile', 'compile', 'of it V8', 'of it ours', 'vs this', 'toWat', 'WAT KB', 'wasm bytes'],
        rows: costRows,
        notes: [
          'compile: compileWasm(program), median of 9 after 3 to warm up, the builds taking turns; V8: WebAssembly.instantiate of the same binary',
          '(median of 9); ours: the rest (BPF -> instruction list -> binary). The first compile of a process also warms up the',
          'JavaScript. toWat: the text `seccompile wasm` prints, BPF comments included (median of 5).',
        ],
      },
      {
        title: 'seccompile eval end to end: CPU seconds of bin/seccompile (default built-in, typical mix, median of 3)',
        columns: ['cases', 'interpreter s', 'JIT s', 'interp us/case', 'JIT us/case'],
        rows: evals,
        notes: [
          'A fresh process each: the JIT column includes loading the JIT and compiling; JSON parsing and printing dominate both.',
          ...evalNotes,
          `--engine auto continues with the JIT after ${JIT_THRESHOLD.toLocaleString('en-US')} cases (JIT_THRESHOLD; see its comment).`,
        ],
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
