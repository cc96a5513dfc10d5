/**
 * jail without root and without namespaces (--no-namespaces, run as nobody through setpriv):
 * it says so in one line; the seccomp policy (NO_NEW_PRIVS needs no privilege), rlimits and
 * --timeout still work, and an option that needs privileges is one line and exit 125. The
 * rootless jail with namespaces is test/cli/jail-rootless.test.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { hasSeccomp, isRoot, need } from '../support/capabilities.js';
import { jailBin, killInetFilter, python, readableJail, tempDir, writeFilter, type Run } from '../support/jail.js';

const SETPRIV = '/usr/bin/setpriv';
const root = isRoot();
const ok = need('seccomp', hasSeccomp(), 'jail without root', 'the kernel has no seccomp') &&
  (!root || need('tool', existsSync(SETPRIV), 'jail without root', 'setpriv (util-linux) is not installed to drop to nobody'));
/** The user jail runs as here, and the command line that runs it so. */
const uid = root ? 65534 : process.getuid!();
const copy = ok && root ? readableJail() : undefined;
// --no-namespaces: this file is about jail without them (test/cli/jail-rootless.test.ts has them).
const command = [...(copy ? [SETPRIV, '--reuid=nobody', '--regid=nogroup', '--clear-groups', copy] : [jailBin]), '--no-namespaces'];
test.after(() => {
  if (copy) rmSync(dirname(dirname(copy)), { recursive: true, force: true });
});

function asUser(args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, [...command.slice(1), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr, pid: child.pid! }));
  });
}

const WARNING = 'jail: warning: --no-namespaces: no namespaces, cgroup or filesystem isolation; only the seccomp policy applies\n';

if (ok) {
  test('--no-namespaces: one line says what is missing; --require-isolation refuses it', async () => {
    const r = await asUser(['--no-seccomp', '--', '/bin/true']);
    assert.is(r.status, 0);
    assert.is(r.stderr, WARNING);
    assert.is((await asUser(['-q', '--no-seccomp', '--', '/bin/true'])).stderr, '');
    const strict = await asUser(['--require-isolation', '--no-seccomp', '--', '/bin/sh', '-c', 'echo ran']);
    assert.is(strict.status, 125);
    assert.is(strict.stdout, '');
    assert.match(strict.stderr, /^jail: --require-isolation and --no-namespaces exclude each other \(see jail --help\)\n$/);
  });

  test('seccomp, rlimits and the host namespaces without root', async () => {
    const r = await asUser(['--policy', 'net-off', '--rlimit', 'nofile=100', '--', '/bin/sh', '-c',
      `echo $$ $(id -u) $(ulimit -n); ${python} -c 'import socket; socket.socket()' 2>&1 | tail -1`]);
    assert.is(r.status, 0, r.stderr);
    const [pid, user, nofile, ...error] = r.stdout.trim().split(/\s+/);
    assert.ok(Number(pid) > 1, 'no pid namespace without root');
    assert.is(user, String(uid));
    assert.is(nofile, '100');
    assert.match(error.join(' '), /Errno 97/);
  });

  test('--timeout without root', async () => {
    const r = await asUser(['--no-seccomp', '--timeout', '0.5', '--', '/bin/sleep', '10']);
    assert.is(r.status, 143);
    assert.is(r.stderr, `${WARNING}jail: killed by the timeout (0.5s)\n`);
  });

  test('a seccomp kill without root: 159 and the syscall, or an honest line on why it is unknown', async () => {
    const dir = tempDir();
    chmodSync(dir, 0o755);
    const kill = writeFilter(dir, 'kill-inet.bpf', killInetFilter());
    const r = await asUser(['--policy', kill, '--', python, '-c', 'import socket; socket.socket()']);
    assert.is(r.status, 159);
    // /dev/kmsg needs CAP_SYSLOG when kernel.dmesg_restrict=1 (Debian's default).
    const unknown = 'killed by seccomp policy .*kill-inet.bpf \\(SIGSYS\\); the syscall is unknown: no audit record for it in /dev/kmsg, ' +
      'and the audit multicast group is out of reach \\(not root, needs CAP_AUDIT_READ\\)';
    assert.ok(r.stderr.startsWith(WARNING), r.stderr);
    assert.match(r.stderr.slice(WARNING.length), new RegExp(`^jail: (killed by seccomp policy .*kill-inet.bpf: syscall socket \\(41\\)|${unknown})\n$`));
  });

  const privileged: Array<[string[], RegExp]> = [
    [['--memory', '10M'], /^jail: --memory needs a cgroup \(drop --no-namespaces\)/],
    [['--pids', '5'], /^jail: --pids needs a cgroup \(drop --no-namespaces\)/],
    [['--hostname', 'x'], /^jail: --hostname needs a uts namespace \(drop --no-namespaces\)/],
  ];
  for (const [opts, message] of privileged) {
    test(`without root ${opts[0]} is one line and 125`, async () => {
      const r = await asUser([...opts, '--', '/bin/true']);
      assert.is(r.status, 125);
      assert.match(r.stderr, message);
      assert.is(r.stderr.split('\n').length, 2);
    });
  }
}

test.run();
