/**
 * Cgroup limits without root: jail run by nobody from a cgroup v2 subtree delegated to nobody
 * (made here as systemd's Delegate=yes would: owned by the user, with the controllers), alone in
 * it. The memory and pids limits are enforced and reported as under root. Needs a cgroup v2
 * hierarchy with memory, pids and cpu (the VM of `npm run test:kernels`; not this project's
 * hosts, whose v2 hierarchy has no controllers).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasCgroupV2Limits, isRoot, need } from '../support/capabilities.js';
import { jailBin, python, type Run } from '../support/jail.js';
import { readCgroupMounts } from '../../src/launcher/cgroups/cgroups.js';
import { probeUserNamespaces } from '../../src/launcher/userns.js';

const userns = probeUserNamespaces();
const ok =
  need('root', isRoot(), 'jail with a delegated cgroup', 'making the delegated cgroup needs root') &&
  need('cgroup-v2', hasCgroupV2Limits(), 'jail with a delegated cgroup', 'no cgroup v2 hierarchy with memory, pids and cpu') &&
  need('namespaces', userns.ok, 'jail with a delegated cgroup', userns.why ?? '');

const NOBODY = 65534;

/** A delegated cgroup for nobody: its directory and the files a delegatee must write. */
function delegate(v2: string, tag = 'x'): string {
  const dir = join(v2, `jail-test-deleg-${process.pid}-${tag}`);
  mkdirSync(dir);
  for (const f of ['', 'cgroup.procs', 'cgroup.subtree_control', 'cgroup.threads']) chownSync(join(dir, f), NOBODY, NOBODY);
  return dir;
}

/** Runs jail as nobody from inside `dir` (a shell moves itself there, then becomes jail). */
function jailIn(dir: string, args: readonly string[]): Promise<Run> {
  const script = `echo $$ > ${dir}/cgroup.procs && exec setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"`;
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', script, 'sh', jailBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr, pid: child.pid! }));
  });
}

/** Removes the delegated cgroup and what jail left in it (empty cgroups, once their processes are gone). */
function remove(dir: string): void {
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
    try {
      rmdirSync(d);
    } catch {
      // Still busy; the VM is thrown away anyway.
    }
  };
  if (existsSync(dir)) walk(dir);
}

if (ok) {
  const v2 = readCgroupMounts().v2!;
  writeFileSync(join(v2, 'cgroup.subtree_control'), '+memory +pids +cpu');

  test('nobody, in a delegated cgroup: --memory kills and reports, --pids refuses and reports', async () => {
    // One delegated cgroup a run, as one systemd scope each: once jail has enabled controllers
    // in one, no process may join it any more (cgroup v2's no-internal-processes rule).
    const dir = delegate(v2, 'mem');
    const dir2 = delegate(v2, 'pids');
    try {
      const mem = await jailIn(dir, ['--memory', '30M', '--no-seccomp', '--', python, '-c', 'x = bytearray(200 * 1024 * 1024); print("survived")']);
      assert.is(mem.stdout, '');
      assert.is(mem.status, 137, mem.stderr);
      assert.is(mem.stderr, 'jail: killed by the memory limit (30M): out of memory\n');
      const bomb = 'import os, time\nmade = 0\nfor _ in range(20):\n  try:\n    pid = os.fork()\n  except OSError:\n    continue\n  if pid == 0:\n    time.sleep(1); os._exit(0)\n  made += 1\nprint(made)';
      const pids = await jailIn(dir2, ['--pids', '5', '--no-seccomp', '--', python, '-c', bomb]);
      assert.is(pids.status, 0, pids.stderr);
      assert.ok(Number(pids.stdout.trim()) <= 4, `${pids.stdout.trim()} forks under --pids 5`);
      assert.match(pids.stderr, /^jail: the pids limit \(5\) refused \d+ forks?\n$/);
    } finally {
      remove(dir);
      remove(dir2);
    }
  });

  test('nobody, with user namespaces turned off: one line naming the setting; --no-namespaces runs', async () => {
    const sysctl = '/proc/sys/user/max_user_namespaces';
    const before = readFileSync(sysctl, 'utf8').trim();
    writeFileSync(sysctl, '0');
    try {
      const r = await jailIn(v2, ['--', '/bin/true']).catch((e: Error) => ({ status: -1, stderr: e.message }) as Run);
      assert.is(r.status, 125, r.stderr);
      assert.match(r.stderr, /^jail: no namespaces without root here: user namespaces are off: user\.max_user_namespaces is 0 \(as root: sysctl -w user\.max_user_namespaces=15000\); --no-namespaces runs with the seccomp policy only \(see jail --help\)\n$/);
      const plain = await jailIn(v2, ['--no-namespaces', '-q', '--', '/bin/sh', '-c', 'echo ran']);
      assert.is(plain.stdout, 'ran\n', plain.stderr);
    } finally {
      writeFileSync(sysctl, before);
    }
  });

  test('nobody, not alone in the delegated cgroup or without one: one line saying what to do', async () => {
    const dir = delegate(v2);
    const other = spawn('/bin/sh', ['-c', `echo $$ > ${dir}/cgroup.procs; exec sleep 30`], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const r = await jailIn(dir, ['--memory', '30M', '--', '/bin/true']);
      assert.is(r.status, 125);
      assert.match(r.stderr, /^jail: --memory needs a cgroup: jail is not alone in .*; start jail in a cgroup delegated to you/);
    } finally {
      other.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 100));
      remove(dir);
    }
  });
}

test.run();
