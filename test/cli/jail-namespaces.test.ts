/**
 * jail's namespaces, observed from inside and from the host: pid (the command is PID 1 and
 * sees only its own processes), mount (/proc is the new pid namespace's, mounts stay inside),
 * net (only lo, up; the host's 127.0.0.1 unreachable), uts (hostname).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer } from 'node:net';
import { hasNamespaces, isRoot, need } from '../support/capabilities.js';
import { hostMounts, jail, python } from '../support/jail.js';

const ok = need('root', isRoot(), 'jail namespaces', 'namespaces need root') &&
  need('namespaces', hasNamespaces(), 'jail namespaces', 'the kernel has no namespaces');

if (ok) {
  test('pid: the command is PID 1 and ps shows only the jail', async () => {
    const r = await jail(['--no-seccomp', '--', '/bin/sh', '-c', 'echo $$; sleep 5 & until grep -q sleep /proc/$!/comm; do :; done; ps -e -o pid=,comm=']);
    assert.is(r.status, 0, r.stderr);
    const [self, ...ps] = r.stdout.trim().split('\n').map((l) => l.trim());
    assert.is(self, '1');
    const comms = ps.map((l) => l.split(/\s+/)[1]).sort();
    assert.equal(comms, ['ps', 'sh', 'sleep']);
    assert.ok(ps.some((l) => /^1\s+sh$/.test(l)), r.stdout);
  });

  test('mount: /proc belongs to the new pid namespace and a mount inside stays inside', async () => {
    const before = hostMounts();
    const r = await jail([
      '--no-seccomp',
      '--cap-add',
      'SYS_ADMIN',
      '--',
      '/bin/sh',
      '-c',
      'cat /proc/1/cmdline | tr "\\0" " "; echo; ls /proc | grep -c "^[0-9]"; ' +
        'mount -t tmpfs jailtesttmpfs /mnt && grep -c jailtesttmpfs /proc/self/mountinfo',
    ]);
    assert.is(r.status, 0, r.stderr);
    const [pid1, processes, count] = r.stdout.trim().split('\n');
    assert.match(pid1!, /^\/bin\/sh -c cat \/proc\/1\/cmdline/);
    assert.ok(Number(processes) <= 4, `${processes} processes in /proc: not the new pid namespace's procfs`);
    assert.is(count, '1');
    assert.not.ok(hostMounts().includes('jailtesttmpfs'));
    assert.is(hostMounts(), before);
  });

  test('net: only lo, and it is up', async () => {
    // /proc/net follows the reader's network namespace (/sys/class/net would show the host's:
    // jail does not remount /sys).
    const r = await jail(['--no-seccomp', '--', '/bin/sh', '-c', "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; ip -o link show lo"]);
    assert.is(r.status, 0, r.stderr);
    const [ifaces, lo] = r.stdout.trim().split('\n');
    assert.is(ifaces, 'lo');
    assert.match(lo!, /<LOOPBACK,UP,LOWER_UP>/);
  });

  test("net: a listener on the host's 127.0.0.1 is unreachable, and lo inside works", async () => {
    const server = createServer((s) => {
      s.on('error', () => {});
      s.end('host\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const script = `
import socket, sys
s = socket.socket()
try:
    s.connect(("127.0.0.1", ${port})); print("reached host")
except OSError as e:
    print("refused", e.errno)
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(1)
c = socket.create_connection(l.getsockname()); print("lo ok")
`;
    try {
      const r = await jail(['--no-seccomp', '--', python, '-c', script]);
      assert.is(r.status, 0, r.stderr);
      assert.match(r.stdout, /^refused \d+\nlo ok$/m);
      // And --share-net keeps the host network.
      const shared = await jail(['--no-seccomp', '--share-net', '--', python, '-c', script.split('\nl =')[0]!]);
      assert.is(shared.stdout.trim(), 'reached host', shared.stderr);
    } finally {
      server.close();
    }
  });

  test('uts: hostname defaults to jail and --hostname sets it; the host keeps its own', async () => {
    const { hostname } = await import('node:os');
    const host = hostname();
    const a = await jail(['--no-seccomp', '--', '/bin/hostname']);
    assert.is(a.stdout.trim(), 'jail', a.stderr);
    const b = await jail(['--no-seccomp', '--hostname', 'box7', '--', '/bin/hostname']);
    assert.is(b.stdout.trim(), 'box7', b.stderr);
    assert.is(hostname(), host);
  });

  test('--no-pid --no-uts: the host pid namespace and hostname', async () => {
    const { hostname } = await import('node:os');
    const r = await jail(['--no-seccomp', '--no-pid', '--no-uts', '--', '/bin/sh', '-c', 'echo $$; hostname']);
    assert.is(r.status, 0, r.stderr);
    const [pid, name] = r.stdout.trim().split('\n');
    assert.ok(Number(pid) > 1);
    assert.is(name, hostname());
  });
}

test.run();
