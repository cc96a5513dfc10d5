/**
 * jail's seccomp policy: the filter is enforced on the command (socket(AF_INET) denied,
 * AF_UNIX allowed), a kill is reported with the syscall's name, a policy that denies execve is
 * refused up front, and bubblewrap's --seccomp enforces the same .bpf the same way.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasNamespaces, hasSeccomp, isRoot, need } from '../support/capabilities.js';
import { filterFor, jail, killInetFilter, noInetFilter, python, tempDir, writeFilter, NO_INET_OUTPUT, SOCKET_PROBE } from '../support/jail.js';
import { SECCOMP_RET_ERRNO } from '../../src/seccomp/abi.js';

const ok = need('root', isRoot(), 'jail seccomp', 'namespaces need root') &&
  need('namespaces', hasNamespaces(), 'jail seccomp', 'the kernel has no namespaces') &&
  need('seccomp', hasSeccomp(), 'jail seccomp', 'the kernel has no seccomp');
const dir = tempDir();


if (ok) {
  const noInet = writeFilter(dir, 'no-inet.bpf', noInetFilter());

  test('a .bpf policy: socket(AF_INET) fails, AF_UNIX works; python3 socket.socket() fails', async () => {
    const r = await jail(['--policy', noInet, '--', python, '-c', SOCKET_PROBE]);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, NO_INET_OUTPUT);
    const plain = await jail(['--policy', noInet, '--', python, '-c', 'import socket; socket.socket()']);
    assert.is(plain.status, 1);
    assert.match(plain.stderr, /OSError: \[Errno 97\] Address family not supported by protocol/);
  });

  test('without --policy filter (--no-seccomp) the same SOCKET_PROBE succeeds', async () => {
    const r = await jail(['--no-seccomp', '--', python, '-c', SOCKET_PROBE]);
    assert.is(r.stdout, 'inet ok\ninet6 ok\nunix ok\n', r.stderr);
  });

  test('the filter covers the whole process tree and survives execve', async () => {
    const r = await jail(['--policy', noInet, '--', '/bin/sh', '-c', `exec /bin/sh -c '${python} -c "${SOCKET_PROBE.replace(/"/g, '\\"')}"'`]);
    assert.is(r.stdout, NO_INET_OUTPUT, r.stderr);
  });

  test('an OCI seccomp profile (.json) is imported and enforced the same way', async () => {
    const profile = join(dir, 'no-inet.json');
    const rule = (family: number) => ({ names: ['socket'], action: 'SCMP_ACT_ERRNO', errnoRet: 97, args: [{ index: 0, value: family, op: 'SCMP_CMP_EQ' }] });
    writeFileSync(profile, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [rule(2), rule(10)] }));
    const r = await jail(['--policy', profile, '--', python, '-c', SOCKET_PROBE]);
    assert.is(r.stdout, NO_INET_OUTPUT, r.stderr);
  });

  test('a kill is reported with the syscall name and exit 159 (128 + SIGSYS)', async () => {
    const kill = writeFilter(dir, 'kill-inet.bpf', killInetFilter());
    const r = await jail(['--policy', kill, '--', python, '-c', 'import socket; socket.socket()']);
    assert.is(r.status, 159);
    assert.is(r.stderr, `jail: killed by seccomp policy ${kill}: syscall socket (41)\n`);
  });

  test('a policy that denies execve is refused before anything runs', async () => {
    const noExec = writeFilter(dir, 'no-exec.bpf', filterFor('execve', [], SECCOMP_RET_ERRNO | 1));
    const r = await jail(['--policy', noExec, '--', '/bin/true']);
    assert.is(r.status, 125);
    assert.match(r.stderr, /^jail: policy: .*no-exec\.bpf denies execve \(ERRNO\(1\)\) on x86_64: the command could not start under it\n$/);
  });

  test('bwrap --seccomp enforces our .bpf the same way', async () => {
    if (!need('tool', existsSync('/usr/bin/bwrap'), 'bwrap comparison', 'bubblewrap is not installed')) return;
    const fd = openSync(noInet, 'r');
    try {
      const r = spawnSync('/usr/bin/bwrap', ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--unshare-all', '--seccomp', '3', python, '-c', SOCKET_PROBE], {
        stdio: ['ignore', 'pipe', 'pipe', fd],
        encoding: 'utf8',
      });
      assert.is(r.stdout, NO_INET_OUTPUT, r.stderr);
    } finally {
      closeSync(fd);
    }
  });
}

test.run();
