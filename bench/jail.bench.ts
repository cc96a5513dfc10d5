/**
 * jail start-up benchmark: wall time of `jail -- /bin/true` (all namespaces, a
 * cgroup, the default policy) against `node -e 0`, `unshare --fork --pid --mount-proc --net
 * --uts --ipc /bin/true` and `bwrap --unshare-all ... --seccomp FD /bin/true` with the same
 * filter. Medians over interleaved rounds (every command once per round, so a busy machine
 * slows all of them alike), and ratios to `node -e 0`. Target: jail <= 2.2x node -e 0.
 * Needs root (namespaces, cgroups) and a built dist/ (`npm run build`).
 * JAIL_BENCH_BASELINE=DIR adds `jail -- /bin/true` of another built checkout (e.g. a worktree
 * of an earlier commit), measured in the same rounds, to compare two versions.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { hostArch } from '../src/syscalls/index.js';
import { noInetFilter } from '../test/support/jail.js';
import type { BenchReport } from './run.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.env.JAIL_BENCH_ROUNDS ?? 21);

/** CPU time (user + sys, ms) of this process's reaped children: /proc/self/stat cutime + cstime. */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 (cutime, cstime) in clock ticks of 1/100 s (USER_HZ on Linux).
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** Wall time of one run; `fdFile` is opened fresh as the child's fd 3 (bwrap reads it to EOF). */
function time(cmd: string, args: readonly string[], fdFile?: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const fd = fdFile === undefined ? undefined : openSync(fdFile, 'r');
    const t0 = performance.now();
    const child = spawn(cmd, args, { env, stdio: fd === undefined ? 'ignore' : ['ignore', 'ignore', 'ignore', fd] });
    if (fd !== undefined) closeSync(fd);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}`))));
  });
}

/** Whether every directory down to `path` lets others in, and `path` lets them read it. */
function readableByOthers(path: string): boolean {
  let dir = path;
  for (;;) {
    try {
      if ((statSync(dir).mode & (dir === path ? 0o004 : 0o001)) === 0) return false;
    } catch {
      return false;
    }
    if (dir === '/') return true;
    dir = dirname(dir);
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
};

export default async function bench(): Promise<BenchReport> {
  if (process.getuid?.() !== 0) {
    return { title: 'jail start-up', columns: ['command'], rows: [], notes: ['skipped: needs root'] };
  }
  const builtin = join(root, 'bpf', `default.${hostArch().name}.bpf`);
  const dir = mkdtempSync(join(tmpdir(), 'jail-bench-'));
  const filter = existsSync(builtin) ? builtin : join(dir, 'no-inet.bpf');
  if (!existsSync(builtin)) writeFileSync(filter, noInetFilter());
  const jail = join(root, 'bin', 'jail');
  const policy = existsSync(builtin) ? 'default' : filter;
  // bin/jail sets NODE_EXTRA_CA_CERTS aside for its own Node (src/cli/jail/jail-env.ts); where it is
  // set, a Node start without it is the fairer yardstick too, so both are shown.
  const caSet = process.env.NODE_EXTRA_CA_CERTS !== undefined;
  const noCa: NodeJS.ProcessEnv = { ...process.env };
  delete noCa.NODE_EXTRA_CA_CERTS;
  const commands: Array<[string, string, string[], string?, NodeJS.ProcessEnv?]> = [
    ['node -e 0', process.execPath, ['-e', '0']],
    ...(caSet ? [['node -e 0 (without NODE_EXTRA_CA_CERTS)', process.execPath, ['-e', '0'], undefined, noCa] as [string, string, string[], undefined, NodeJS.ProcessEnv]] : []),
    [`jail -- /bin/true (--policy ${existsSync(builtin) ? 'default' : 'test .bpf'})`, jail, ['--policy', policy, '--', '/bin/true']],
    ['jail --no-seccomp -- /bin/true', jail, ['--no-seccomp', '--', '/bin/true']],
    ['jail --memory 64M -- /bin/true (v1 cgroup)', jail, ['--policy', policy, '--memory', '64M', '--', '/bin/true']],
    ...(process.env.JAIL_BENCH_BASELINE
      ? [[`baseline ${process.env.JAIL_BENCH_BASELINE}: jail -- /bin/true`, join(process.env.JAIL_BENCH_BASELINE, 'bin', 'jail'), ['--policy', policy, '--', '/bin/true']] as [string, string, string[]]]
      : []),
    // Rootless: the same run as nobody, in a user namespace (needs a checkout nobody can read).
    ...(existsSync('/usr/bin/setpriv') && readableByOthers(jail)
      ? [['jail -- /bin/true as nobody (rootless)', '/usr/bin/setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', jail, '--policy', policy, '--', '/bin/true']] as [string, string, string[]]]
      : []),
    ['unshare --fork --pid --mount-proc --net --uts --ipc /bin/true', 'unshare', ['--fork', '--pid', '--mount-proc', '--net', '--uts', '--ipc', '/bin/true']],
  ];
  if (existsSync('/usr/bin/bwrap')) {
    commands.push([
      'bwrap --unshare-all --ro-bind / / --dev /dev --proc /proc --seccomp 3 /bin/true',
      '/usr/bin/bwrap',
      ['--unshare-all', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--seccomp', '3', '/bin/true'],
      filter,
    ]);
  }
  const samples = commands.map(() => [] as number[]);
  const cpu = commands.map(() => 0);
  for (const [, cmd, args, f, env] of commands) await time(cmd, args, f, env); // warm the page cache
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, [, cmd, args, f, env]] of commands.entries()) {
      const c0 = childrenCpuMs();
      samples[i]!.push(await time(cmd, args, f, env));
      cpu[i]! += childrenCpuMs() - c0;
    }
  }
  const base = median(samples[0]!);
  return {
    title: 'jail start-up (wall and CPU time, ms)',
    columns: ['command', 'median', 'min', 'x node -e 0', 'CPU ms', 'CPU x node'],
    rows: commands.map(([name], i) => [
      name,
      median(samples[i]!),
      Math.min(...samples[i]!),
      median(samples[i]!) / base,
      cpu[i]! / ROUNDS,
      cpu[i]! / cpu[0]!,
    ]),
    notes: [
      `${ROUNDS} interleaved rounds; target: jail -- /bin/true <= 2.2x node -e 0.`,
      'CPU ms: mean user+sys of the whole process tree (children reaped by this process); it does not depend on how busy the machine is, wall time does.',
      'jail = two Node starts (supervisor, then the init stage that execs the command) + koffi + setup.',
      ...(caSet
        ? ['NODE_EXTRA_CA_CERTS is set here: every `node` start reads that bundle; jail sets it aside for its own Node and gives it back to the command.']
        : []),
      ...(existsSync(builtin) ? [] : ['bpf/default.*.bpf not built yet: jail and bwrap use a small test filter instead.']),
    ],
  };
}
