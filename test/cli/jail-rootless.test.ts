/**
 * jail without root (as nobody, through setpriv): every namespace inside a user namespace of
 * the caller's (src/launcher/userns.ts), so the command is PID 1 and root there, sees only its
 * own processes, the host's files read-only, and runs under the policy; signals and exit
 * statuses come through unshare as they do for root's jail (SIGKILL included).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { busyboxRoot, hasBusybox } from '../support/container.js';
import { hasSeccomp, isRoot, need } from '../support/capabilities.js';
import { jail, python, tempDir, type Run } from '../support/jail.js';
import { probeUserNamespaces } from '../../src/launcher/userns.js';

const SETPRIV = '/usr/bin/setpriv';
const userns = probeUserNamespaces();
const ok =
  need('root', isRoot(), 'rootless jail', 'becoming nobody needs root') &&
  need('seccomp', hasSeccomp(), 'rootless jail', 'the kernel has no seccomp') &&
  need('namespaces', userns.ok, 'rootless jail', userns.why ?? '') &&
  need('tool', existsSync(SETPRIV), 'rootless jail', 'setpriv (util-linux) is not installed');

const asNobody = (args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> => jail(args, { env, asUser: 'nobody' });

if (ok) {
  test("as nobody: PID 1, uid 0, only the jail's processes, the host read-only", async () => {
    const r = await asNobody(['--', '/bin/sh', '-c', 'echo $$; id -u; ls /proc | grep -c "^[0-9]"; touch /etc/rootless-test 2>&1; cat /proc/self/uid_map']);
    assert.is(r.status, 0, r.stderr);
    const [pid, uid, processes, touch, map] = r.stdout.trim().split('\n');
    assert.is(pid, '1');
    assert.is(uid, '0');
    assert.ok(Number(processes) <= 3, `${processes} processes visible`);
    assert.match(touch!, /Read-only file system/);
    assert.match(map!, /^\s*0\s+65534\s+1$/);
    assert.is(r.stderr, '');
  });

  test('as nobody: net-off refuses AF_INET; the default policy and capabilities apply', async () => {
    const r = await asNobody(['--policy', 'net-off', '--', python, '-c', 'import socket\ntry:\n  socket.socket()\nexcept OSError as e: print(e.errno)']);
    assert.is(r.stdout, '97\n', r.stderr);
    const caps = await asNobody(['--', '/bin/grep', 'CapEff', '/proc/self/status']);
    assert.match(caps.stdout, /^CapEff:\s+00000000a80425fb$/m, caps.stderr);
  });

  test('as nobody: exit statuses and signals through unshare (SIGKILL too), --timeout', async () => {
    assert.is((await asNobody(['--no-seccomp', '--', '/bin/sh', '-c', 'exit 7'])).status, 7);
    const sigsys = await asNobody(['--policy', 'stdio', '--', '/bin/true']);
    assert.is(sigsys.status, 125, 'stdio denies execve: refused up front');
    const killed = await asNobody(['--no-seccomp', '--timeout', '0.3', '--kill-after', '0.2', '--', '/bin/sleep', '30']);
    assert.is(killed.status, 137);
    assert.is(killed.stderr, 'jail: killed by the timeout (0.3s): it ignored SIGTERM, SIGKILL after 0.2s\n');
    const handled = await asNobody(['--no-seccomp', '--timeout', '1', '--', '/bin/sh', '-c', "trap 'exit 9' TERM; while :; do sleep 0.05; done"]);
    assert.is(handled.status, 9, handled.stderr);
  });

  test('as nobody: a named rootless jail: ps, enter (its namespaces, uid 0, through nsenter), stop', async () => {
    const env = { ...process.env, SECCOMPILE_STATE_DIR: `/var/tmp/seccompile-rootless-${process.pid}` };
    const name = `rl-${process.pid}`;
    const run = asNobody(['--name', name, '--hostname', 'box', '--', '/bin/sleep', '30'], env);
    try {
      let running = false;
      for (let i = 0; i < 200 && !running; i++) {
        const ps = await asNobody(['ps', '--json'], env);
        running = ps.status === 0 && (JSON.parse(ps.stdout) as Array<{ name: string; state: string }>).some((e) => e.name === name && e.state === 'running');
        if (!running) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(running, 'the named jail runs');
      const r = await asNobody(['enter', name, '--', '/bin/sh', '-c', 'echo $$; id -u; hostname; ls /proc | grep -c "^[0-9]"; cat /proc/1/cmdline | tr "\\0" " "'], env);
      assert.is(r.status, 0, r.stderr);
      const [pid, uid, hostname, count, pid1] = r.stdout.trim().split('\n');
      assert.ok(Number(pid) > 1 && Number(count) <= 5, r.stdout);
      assert.is(uid, '0');
      assert.is(hostname, 'box');
      assert.match(pid1!, /^\/bin\/sleep 30/);
      assert.is((await asNobody(['stop', '--timeout', '0.5', name], env)).status, 0);
    } finally {
      await run;
      rmSync(env.SECCOMPILE_STATE_DIR, { recursive: true, force: true });
    }
  });

  test('jail doctor: as root and as nobody, every check says ok, info, or what is missing and how to fix it', async () => {
    const asRoot = await jail(['doctor', '--json']);
    const nobody = await asNobody(['doctor', '--json']);
    for (const [who, r, privileges] of [['root', asRoot, /^root:/], ['nobody', nobody, /^not root: namespaces inside a user namespace/]] as const) {
      assert.is(r.status, 0, `${who}: ${r.stdout}`);
      const report = JSON.parse(r.stdout) as { ready: boolean; checks: Array<{ check: string; status: string; detail: string; fix?: string }> };
      assert.is(report.ready, true);
      assert.match(report.checks.find((c) => c.check === 'privileges')!.detail, privileges);
      for (const c of report.checks) {
        assert.ok(['ok', 'missing', 'info'].includes(c.status), `${who} ${c.check}`);
        if (c.status === 'missing') assert.ok(c.fix, `${who} ${c.check}: a missing check says what to do`);
      }
      assert.is(report.checks.find((c) => c.check === '--memory')!.status, who === 'root' ? 'ok' : 'missing');
    }
    const text = await asNobody(['doctor']);
    assert.match(text.stdout, /^ok {2}seccomp: /m);
    assert.match(text.stdout, /^NO {2}--memory: .*\n {6}to fix: /m);
    assert.match(text.stdout, /jail can isolate commands here\.\n$/);
  });

  test('as nobody: --rootfs, --no-pid and --share-net work; cgroup limits are one line', async () => {
    const dir = tempDir();
    chmodSync(dir, 0o755);
    if (hasBusybox()) {
      // A tree root owns: jail (nobody on the host) cannot create mount points in it, so they exist.
      const root = busyboxRoot(dir);
      for (const d of ['proc', 'dev', 'sys', 'tmp']) mkdirSync(join(root, d));
      const r = await asNobody(['--rootfs', root, '--', '/bin/sh', '-c', 'ls /; echo $$; id -u']);
      assert.is(r.stdout, 'bin\ndev\nproc\nsys\ntmp\n1\n0\n', r.stderr);
    }
    const noPid = await asNobody(['--no-pid', '--share-net', '--', '/bin/sh', '-c', 'test $$ -gt 1 && echo host-pids; cat /proc/sys/kernel/hostname >/dev/null && echo proc']);
    assert.is(noPid.stdout, 'host-pids\nproc\n', noPid.stderr);
    const limited = await asNobody(['--memory', '64M', '--', '/bin/true']);
    assert.is(limited.status, 125);
    assert.match(limited.stderr, /^jail: --memory needs a cgroup: .*(delegated|cgroup v2|controller)/);
    assert.is((await asNobody(['--uid', '1000', '--', '/bin/true'])).status, 125);
  });
}

test.run();
