/**
 * CLI latency, end to end, as ratios to `node -e 0` measured in the same run: bin/seccompile
 * compiling Docker's default profile (Podman's copy, test/fixtures/oci/podman-default.json) and
 * the built-in default policy (policies/default.ts: with its bundle cached, and with the cache
 * off, which starts esbuild), `seccompile --help` (the start-up floor), and libseccomp's Python
 * binding building the same profile's rules (python3 + bench/libseccomp-build.py, the
 * reference). All commands take turns in each round, so load from other processes falls on all
 * of them alike; medians of the rounds, and the fastest round.
 *
 * LATENCY_BENCH_BASELINE=DIR adds the two compile rows of another built checkout (e.g. an older
 * commit unpacked with `git archive` and built), for a before/after in one run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchReport } from './run.js';
import { root } from './dist.js';
import { libseccompInput } from './compile.bench.js';

const ROUNDS = 21;
const PYTHON = '/usr/bin/python3';

interface Command {
  readonly name: string;
  readonly argv: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Variables removed from its environment. */
  readonly unset?: readonly string[];
  /** Text written to its stdin. */
  readonly stdin?: string;
  readonly target?: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

export default async function bench(): Promise<BenchReport> {
  const dir = mkdtempSync(join(tmpdir(), 'seccompile-latency-bench-'));
  const bin = join(root, 'bin', 'seccompile');
  const profile = join(root, 'test', 'fixtures', 'oci', 'podman-default.json');
  const policy = join(root, 'policies', 'default.ts');
  const cache = join(dir, 'cache');
  const notes: string[] = [];
  const commands: Command[] = [
    { name: 'node -e 0', argv: [process.execPath, '-e', '0'] },
    { name: 'node -e 0, NODE_EXTRA_CA_CERTS unset', argv: [process.execPath, '-e', '0'], unset: ['NODE_EXTRA_CA_CERTS'] },
    { name: 'seccompile --help', argv: [bin, '--help'] },
    { name: 'seccompile docker.json -o x.bpf', argv: [bin, profile, '-o', join(dir, 'x.bpf')], target: 1.4 },
    { name: 'seccompile default.ts -o y.bpf (bundle cached)', argv: [bin, policy, '-o', join(dir, 'y.bpf')], env: { SECCOMPILE_CACHE_DIR: cache }, target: 2 },
    { name: 'seccompile default.ts -o y.bpf (no cache)', argv: [bin, policy, '-o', join(dir, 'z.bpf')], env: { SECCOMPILE_CACHE_DIR: 'off' } },
  ];
  const baseline = process.env.LATENCY_BENCH_BASELINE;
  if (baseline) {
    const old = join(baseline, 'bin', 'seccompile');
    commands.push(
      { name: 'baseline: seccompile docker.json -o x.bpf', argv: [old, profile, '-o', join(dir, 'bx.bpf')] },
      { name: 'baseline: seccompile default.ts (bundle cached)', argv: [old, policy, '-o', join(dir, 'by.bpf')], env: { SECCOMPILE_CACHE_DIR: join(dir, 'baseline-cache') } },
    );
    notes.push(`baseline: ${baseline}`);
  }
  if (spawnSync(PYTHON, ['-c', 'import seccomp'], { stdio: 'ignore' }).status === 0) {
    const { importOciProfile } = await import('../src/oci/index.js');
    const ir = importOciProfile(readFileSync(profile, 'utf8'), { arch: 'x86_64' }).ir!;
    const stdin = libseccompInput(ir, 2);
    commands.push({ name: 'python3 libseccomp: same rules -> filter', argv: [PYTHON, join(root, 'bench', 'libseccomp-build.py'), join(dir, 'l.bpf')], stdin });
  } else notes.push('python3-seccomp missing: no libseccomp row');
  try {
    const times = commands.map((): number[] => []);
    const run = (c: Command): number => {
      const env = { ...process.env, ...c.env };
      for (const name of c.unset ?? []) delete env[name];
      const t = performance.now();
      const r = spawnSync(c.argv[0]!, c.argv.slice(1), {
        env,
        stdio: [c.stdin === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'],
        ...(c.stdin === undefined ? {} : { input: c.stdin }),
      });
      const ms = performance.now() - t;
      if (r.status !== 0) throw new Error(`${c.name} failed (${r.status}): ${r.stderr}`);
      return ms;
    };
    for (const c of commands) run(c); // warm the page cache and the bundle cache
    for (let round = 0; round < ROUNDS; round++) commands.forEach((c, i) => times[i]!.push(run(c)));
    const base = median(times[0]!);
    const rows = commands.map((c, i) => {
      const m = median(times[i]!);
      return [c.name, m, Math.min(...times[i]!), m / base, c.target === undefined ? '' : `<= ${c.target}x`];
    });
    return {
      title: 'CLI latency: wall time of one command, a fresh process each (ms)',
      columns: ['command', 'median ms', 'fastest ms', 'x node -e 0', 'target'],
      rows,
      notes: [
        `${ROUNDS} rounds, the commands taking turns in each; ratio = median / median of node -e 0 in the same run.`,
        "The environment is the shell's: with NODE_EXTRA_CA_CERTS set (as on these machines), node -e 0 pays for reading that",
        'bundle; bin/seccompile sets it aside for its own Node, as bin/jail does (second row: a Node start without it).',
        'libseccomp row: python3 start + JSON rules + rule building + export_bpf (the rules as runc would add them, binary tree).',
        ...notes,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
