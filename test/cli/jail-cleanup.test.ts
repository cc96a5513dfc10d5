/**
 * Nothing outlives a run: 20 runs at once (6 in the emulated VM) leave no cgroup, mount or
 * process behind, each is isolated (its own PID 1, cgroup, hostname), and after `kill -9` of
 * jail the command dies with it and the next run removes the dead run's cgroup. (50 runs in a row:
 * jail-cleanup-sequential.test.ts, a file of its own so the two run in parallel.)
 */
import { test } from 'uvu';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processStartTime, readCgroupMounts } from '../../src/launcher/cgroups/cgroups.js';
import * as assert from 'uvu/assert';
import { hasCgroups, hasNamespaces, isRoot, need } from '../support/capabilities.js';
import { cgroupsOf, hostMounts, jail, MARKER, processesWith, sleep } from '../support/jail.js';
import { repetitions } from '../support/emulation.js';

const ok = need('root', isRoot(), 'jail cleanup', 'namespaces and cgroups need root') &&
  need('namespaces', hasNamespaces(), 'jail cleanup', 'the kernel has no namespaces') &&
  need('cgroups', hasCgroups(), 'jail cleanup', 'no cgroup filesystem mounted');

async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) if (check()) return true;
  return check();
}

if (ok) {
  const concurrent = repetitions(20, 6);
  test(`${concurrent} concurrent runs: each its own PID 1, cgroup and hostname; all cleaned up`, async () => {
    // The run's cgroup: the v1 memory hierarchy's where there is one, else the unified one's.
    const mounts = hostMounts();
    const runs = await Promise.all(
      Array.from({ length: concurrent }, (_, i) =>
        jail(['-v', '--memory', '64M', '--hostname', `c${i}`, '--no-seccomp', '--', '/bin/sh', '-c', 'echo $$ $(hostname) $(grep :memory: /proc/self/cgroup || grep ^0:: /proc/self/cgroup); sleep 0.3']),
      ),
    );
    const cgroups = new Set<string>();
    runs.forEach((r, i) => {
      assert.is(r.status, 0, r.stderr);
      const [pid, host, cg] = r.stdout.trim().split(' ');
      assert.is(pid, '1');
      assert.is(host, `c${i}`);
      // Its own cgroup is the root of its cgroup namespace; the host sees where it is.
      assert.match(cg!, /^\d+:(memory)?:\/$/);
      const created = /^jail: create cgroup: v\d (\S+)/m.exec(r.stderr)?.[1];
      assert.match(created ?? '', new RegExp(`/seccompile/jail-${r.pid}-`));
      cgroups.add(created!);
    });
    assert.is(cgroups.size, concurrent);
    assert.equal(cgroupsOf(runs.map((r) => r.pid)), []);
    assert.is(hostMounts(), mounts);
  });

  test('kill -9 of jail kills the command; the next run removes the dead run cgroup', async () => {
    let jailPid = 0;
    const run = jail(['--memory', '64M', '--no-seccomp', '--', '/bin/sh', '-c', `sleep 31.${MARKER}1 & echo ready; exec sleep 31.${MARKER}2`], {
      onStdout: (out, pid) => {
        if (out.includes('ready') && jailPid === 0) {
          jailPid = pid;
          process.kill(pid, 'SIGKILL');
        }
      },
    });
    const r = await run;
    assert.is(r.signal, 'SIGKILL');
    assert.ok(await until(() => processesWith(`31.${MARKER}`).length === 0, 2000), `left: ${processesWith(`31.${MARKER}`)}`);
    // The killed run's cgroup stays until a run sweeps it (any jail run on the machine may).
    const next = await jail(['--no-seccomp', '--', '/bin/true']);
    assert.is(next.status, 0, next.stderr);
    assert.equal(cgroupsOf([jailPid]), []);
  });

  test('--no-pid: a background process the command leaves is killed when the run ends', async () => {
    const r = await jail(['--no-pid', '--no-seccomp', '--', '/bin/sh', '-c', `sleep 35.${MARKER} & echo started`]);
    assert.is(r.stdout, 'started\n', r.stderr);
    assert.equal(processesWith(`35.${MARKER}`), []);
    assert.equal(cgroupsOf([r.pid]), []);
  });

  test('--no-pid and kill -9: the command dies (parent-death signal); its orphans die with the next run', async () => {
    let jailPid = 0;
    const r = await jail(['--no-pid', '--memory', '64M', '--no-seccomp', '--', '/bin/sh', '-c', `sleep 36.${MARKER}1 & echo ready; exec sleep 36.${MARKER}2`], {
      onStdout: (out, pid) => {
        if (out.includes('ready') && jailPid === 0) {
          jailPid = pid;
          process.kill(pid, 'SIGKILL');
        }
      },
    });
    assert.is(r.signal, 'SIGKILL');
    assert.ok(await until(() => processesWith(`36.${MARKER}2`).length === 0, 2000), 'the command outlived jail');
    // Without a pid namespace the background sleep survives jail, in the dead run's cgroup,
    // until a run sweeps it (any jail run on the machine may, so this is not asserted here).
    const next = await jail(['--no-seccomp', '--', '/bin/true']);
    assert.is(next.status, 0, next.stderr);
    assert.ok(await until(() => processesWith(`36.${MARKER}1`).length === 0, 2000), 'the stale cgroup was not emptied');
    assert.equal(cgroupsOf([jailPid]), []);
  });

  test("a dead run's cgroup with a process in it: the next run kills the process and removes the cgroup", async () => {
    const mounts = readCgroupMounts();
    const hierarchy = mounts.v2 ?? mounts.v1.get('pids')!;
    // The cgroup is named for an owner process that is alive while the cgroup is set up (so no
    // concurrent jail sweeps it half-made) and then killed, as a jail killed with SIGKILL.
    const owner = spawn('/bin/sleep', ['60'], { stdio: 'ignore' });
    const stale = join(hierarchy, 'seccompile', `jail-${owner.pid}-${processStartTime(owner.pid!)}-${MARKER}`);
    mkdirSync(stale, { recursive: true });
    const orphan = spawn('/bin/sleep', [`37.${MARKER}`], { stdio: 'ignore' });
    const exited = new Promise((r) => orphan.on('exit', (_code, signal) => r(signal)));
    writeFileSync(join(stale, 'cgroup.procs'), String(orphan.pid));
    await new Promise((r) => {
      owner.on('exit', r);
      owner.kill('SIGKILL');
    });
    const next = await jail(['--no-seccomp', '--', '/bin/true']);
    assert.is(next.status, 0, next.stderr);
    assert.is(await exited, 'SIGKILL');
    assert.not.ok(existsSync(stale));
  });
}

test.run();
