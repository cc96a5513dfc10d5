/**
 * `jail enter`: the entered command is in the running jail's pid namespace (the
 * jail's command is PID 1 there), uts namespace (hostname), cgroup, under its seccomp filter
 * (net-off: AF_INET fails, AF_UNIX works), in its root (a busybox --rootfs), with the exit
 * status coming back; /bin/sh is the default command.
 */
import { test } from 'uvu';
import { readFileSync } from 'node:fs';
import * as assert from 'uvu/assert';
import { hasCgroups, hasNamespaces, isRoot, need } from '../support/capabilities.js';
import { background, busyboxRoot, hasBusybox, stateEnv, uniqueName, waitRunning } from '../support/container.js';
import { hostArch } from '../../src/syscalls/index.js';
import { jail, killInetFilter, python, tempDir, writeFilter } from '../support/jail.js';

const ok =
  need('root', isRoot(), 'jail enter', 'setns needs root') &&
  need('namespaces', hasNamespaces(), 'jail enter', 'the kernel has no namespaces') &&
  need('cgroups', hasCgroups(), 'jail enter', 'no cgroup hierarchy') &&
  need('tool', hasBusybox(), 'jail enter', 'no /bin/busybox (Debian package busybox-static)');

if (ok) {
  const env = stateEnv();
  const name = uniqueName('e1');
  const run = background(['--name', name, '--policy', 'net-off', '--hostname', 'box1', '--', 'sleep', '60'], env);

  test('enter: same pid namespace (sleep is PID 1), hostname, cgroup and cgroup namespace', async () => {
    const entry = await waitRunning(name, env, run);
    const r = await jail(['enter', name, '--', '/bin/sh', '-c', 'ps -e -o pid=,comm=; echo ---; hostname; echo ---; cat /proc/self/cgroup; echo ---; cat /proc/1/cgroup'], { env });
    assert.is(r.status, 0, r.stderr);
    const [ps, hostname, self, pid1] = r.stdout.split('---\n');
    const procs = ps!.trim().split('\n').map((l) => l.trim().split(/\s+/));
    assert.equal(procs[0], ['1', 'sleep']);
    assert.equal(procs.map((p) => p[1]).sort(), ['ps', 'sh', 'sleep']);
    assert.is(hostname!.trim(), 'box1');
    assert.is(self, pid1);
    // The jail's cgroup is the root of its cgroup namespace, which the entered command shares.
    assert.match(self!, /^0::\/$/m);
    const host = readFileSync(`/proc/${entry.command!.pid}/cgroup`, 'utf8');
    assert.match(host, /\/seccompile\/jail-\d+-\d+-[0-9a-f]+$/m);
  });

  test('enter: under the same seccomp policy (net-off)', async () => {
    const script = 'import socket\ntry:\n  socket.socket()\nexcept OSError as e:\n  print("inet", e.errno)\nsocket.socket(socket.AF_UNIX); print("unix ok")';
    const r = await jail(['enter', name, '--', python, '-c', script], { env });
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, 'inet 97\nunix ok\n');
  });

  test('enter: exit status, 127 for a missing command, /bin/sh by default', async () => {
    assert.is((await jail(['enter', name, '--', '/bin/sh', '-c', 'exit 7'], { env })).status, 7);
    const opts = await jail(['enter', '-e', 'GREETING=hi', '--cwd', '/proc', name, '--', '/bin/sh', '-c', 'echo $GREETING $PWD'], { env });
    assert.is(opts.stdout, 'hi /proc\n', opts.stderr);
    const missing = await jail(['enter', name, '--', 'no-such-command-xyz'], { env });
    assert.is(missing.status, 127);
    assert.match(missing.stderr, /^jail enter: no-such-command-xyz: command not found/);
    const sh = await jail(['enter', name], { env, input: 'echo $$ $0; exit 5\n' });
    assert.is(sh.status, 5, sh.stderr);
    assert.match(sh.stdout, /^\d+ \/bin\/sh\n$/);
  });

  test('enter a --rootfs jail: its root, not the host', async () => {
    const rname = uniqueName('r1');
    const root = busyboxRoot();
    const rrun = background(['--name', rname, '--rootfs', root, '--', '/bin/sleep', '60'], env);
    try {
      await waitRunning(rname, env, rrun);
      const r = await jail(['enter', rname, '--', 'ls', '/'], { env });
      assert.is(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim().split('\n'), ['bin', 'dev', 'proc', 'sys', 'tmp']);
    } finally {
      await jail(['stop', '--timeout', '0', rname], { env });
      await rrun.ended;
    }
  });

  test('enter: a seccomp kill is reported with the syscall named', async () => {
    const kname = uniqueName('k1');
    const policy = writeFilter(tempDir(), 'kill-inet.bpf', killInetFilter());
    const krun = background(['--name', kname, '--policy', policy, '--', 'sleep', '60'], env);
    try {
      await waitRunning(kname, env, krun);
      const r = await jail(['enter', kname, '--', python, '-c', 'import socket; socket.socket()'], { env });
      assert.is(r.status, 128 + 31, r.stderr);
      assert.is(r.stderr, `jail enter: killed by seccomp policy ${policy}: syscall socket (${hostArch().syscalls.get('socket')})\n`);
    } finally {
      await jail(['stop', '--timeout', '0', kname], { env });
      await krun.ended;
    }
  });

  test('stop the jail', async () => {
    assert.is((await jail(['stop', '--timeout', '0', name], { env })).status, 0);
    assert.is((await run.ended).status, 137);
  });
}

test.run();
