/**
 * jail as a container runtime: what a busybox `--rootfs`, `--name` and `jail enter`
 * cost on top of a plain run, and `jail ps`, against `bwrap` with the same tree and `nsenter`
 * into the same jail. Medians over interleaved rounds (each command once per round), wall
 * time and the CPU time (user + sys) of the reaped children. Needs root and a built dist/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { BenchReport } from './run.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.env.JAIL_BENCH_ROUNDS ?? 15);

function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10; // cutime + cstime, USER_HZ = 100
}

function time(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: 'ignore', env });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}`))));
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function until(f: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !f(); i++) await new Promise((r) => setTimeout(r, 50));
}

export default async function bench(): Promise<BenchReport> {
  const title = 'jail as a container: rootfs, names, enter';
  if (process.getuid?.() !== 0 || !existsSync('/bin/busybox')) {
    return { title, columns: ['command'], rows: [], notes: ['skipped: needs root and /bin/busybox'] };
  }
  const dir = mkdtempSync(join(tmpdir(), 'jail-container-bench-'));
  const tree = join(dir, 'rootfs');
  mkdirSync(join(tree, 'bin'), { recursive: true });
  copyFileSync('/bin/busybox', join(tree, 'bin', 'busybox'));
  for (const a of ['sh', 'true', 'sleep']) symlinkSync('busybox', join(tree, 'bin', a));
  for (const d of ['proc', 'dev', 'tmp']) mkdirSync(join(tree, d));
  const env = { ...process.env, SECCOMPILE_STATE_DIR: join(dir, 'state') };
  const jail = join(root, 'bin', 'jail');

  // A named jail to enter and list.
  const name = `bench-${process.pid}`;
  const running: ChildProcess = spawn(jail, ['--name', name, '--rootfs', tree, '--', '/bin/sleep', '600'], { stdio: 'ignore', env });
  const entryFile = join(dir, 'state', name, 'jail.json');
  await until(() => existsSync(entryFile) && readFileSync(entryFile, 'utf8').includes('"running"'));
  const pid = (JSON.parse(readFileSync(entryFile, 'utf8')) as { command: { pid: number } }).command.pid;

  const commands: Array<[string, string, string[]]> = [
    ['node -e 0', process.execPath, ['-e', '0']],
    ['jail --no-seccomp -- /bin/true', jail, ['--no-seccomp', '--', '/bin/true']],
    ['jail --no-seccomp --rootfs BUSYBOX -- /bin/true', jail, ['--no-seccomp', '--rootfs', tree, '--', '/bin/true']],
    ['jail --no-seccomp --name N -- /bin/true', jail, ['--no-seccomp', '--name', `${name}-x`, '--', '/bin/true']],
    ['jail enter NAME -- /bin/true (rootfs jail, default policy)', jail, ['enter', name, '--', '/bin/true']],
    ['jail ps', jail, ['ps']],
    ['nsenter -t PID --pid --mount --net --uts --ipc /bin/true', 'nsenter', ['-t', String(pid), '--pid', '--mount', '--net', '--uts', '--ipc', '/bin/true']],
  ];
  if (existsSync('/usr/bin/bwrap')) {
    commands.push([
      'bwrap --unshare-all --bind BUSYBOX / --dev /dev --proc /proc --tmpfs /tmp /bin/true',
      '/usr/bin/bwrap',
      ['--unshare-all', '--bind', tree, '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '/bin/true'],
    ]);
  }
  const samples = commands.map(() => [] as number[]);
  const cpu = commands.map(() => 0);
  try {
    for (const [, cmd, args] of commands) await time(cmd, args, env);
    for (let r = 0; r < ROUNDS; r++) {
      for (const [i, [, cmd, args]] of commands.entries()) {
        const c0 = childrenCpuMs();
        samples[i]!.push(await time(cmd, args, env));
        cpu[i]! += childrenCpuMs() - c0;
      }
    }
  } finally {
    await time(jail, ['stop', '--timeout', '0', name], env).catch(() => 0);
    running.kill('SIGKILL');
  }
  return {
    title,
    columns: ['command', 'wall median ms', 'CPU ms/run'],
    rows: commands.map(([label], i) => [label, median(samples[i]!), cpu[i]! / ROUNDS]),
    notes: [`${ROUNDS} interleaved rounds; JAIL_BENCH_ROUNDS to change. CPU includes every process of the run.`],
  };
}
