/**
 * Nothing outlives a run: 20 runs at once leave no cgroup, mount or process behind, each is
 * isolated (its own PID 1, cgroup, hostname), and after `kill -9` of jail the command dies
 * with it and the next run removes the dead run's cgroup. (50 runs in a row:
 * jail-cleanup-sequential.test.ts, a file of its own so the two run in parallel.)
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hasCgroups, hasNamespaces, isRoot, need } from '../support/capabilities.js';
import { cgroupsOf, hostMounts, jail, MARKER, processesWith, sleep } from '../support/jail.js';

const ok = need('root', isRoot(), 'jail cleanup', 'namespaces and cgroups need root') &&
  need('namespaces', hasNamespaces(), 'jail cleanup', 'the kernel has no namespaces') &&
  need('cgroups', hasCgroups(), 'jail cleanup', 'no cgroup filesystem mounted');

async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) if (check()) return true;
  return check();
}

if (ok) {
  test('20 concurrent runs: each its own PID 1, cgroup and hostname; all cleaned up', async () => {
    const mounts = hostMounts();
    const runs = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        jail(['--memory', '64M', '--hostname', `c${i}`, '--no-seccomp', '--', '/bin/sh', '-c', 'echo $$ $(hostname) $(grep memory /proc/self/cgroup); sleep 0.3']),
      ),
    );
    const cgroups = new Set<string>();
    runs.forEach((r, i) => {
      assert.is(r.status, 0, r.stderr);
      const [pid, host, cg] = r.stdout.trim().split(' ');
      assert.is(pid, '1');
      assert.is(host, `c${i}`);
      assert.match(cg!, new RegExp(`/seccompile/jail-${r.pid}-`));
      cgroups.add(cg!);
    });
    assert.is(cgroups.size, 20);
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
    assert.is(cgroupsOf([jailPid]).length, 1, 'the killed run left its cgroup (removed by the next run)');
    const next = await jail(['--no-seccomp', '--', '/bin/true']);
    assert.is(next.status, 0, next.stderr);
    assert.equal(cgroupsOf([jailPid]), []);
  });
}

test.run();
