/**
 * jail with the built-in policies (bpf/<name>.<arch>.bpf, precompiled): net-off denies
 * AF_INET/AF_INET6 sockets and allows AF_UNIX; a .bpf compiled by `seccompile` from the same
 * policy source behaves the same, and so does bubblewrap's --seccomp with our .bpf; `default`
 * runs ordinary programs and denies namespace creation; `stdio` (no execve) is refused up front.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { hasNamespaces, hasSeccomp, isRoot, need } from '../support/capabilities.js';
import { jail, python, root, tempDir, NO_INET_OUTPUT, SOCKET_PROBE } from '../support/jail.js';
import { hostArchName } from '../../src/launcher/linux.js';

const builtin = (name: string) => join(root, 'bpf', `${name}.${hostArchName()}.bpf`);
const ok = need('root', isRoot(), 'jail built-in policies', 'namespaces need root') &&
  need('namespaces', hasNamespaces(), 'jail built-in policies', 'the kernel has no namespaces') &&
  need('seccomp', hasSeccomp(), 'jail built-in policies', 'the kernel has no seccomp') &&
  need('tool', existsSync(builtin('net-off')), 'jail built-in policies', 'bpf/ not built (npm run build:policies)');
const dir = tempDir();


if (ok) {
  test('net-off: python3 socket.socket() fails, AF_UNIX works', async () => {
    const r = await jail(['--policy', 'net-off', '--', python, '-c', SOCKET_PROBE]);
    assert.is(r.stdout, NO_INET_OUTPUT, r.stderr);
    const plain = await jail(['--policy', 'net-off', '--', python, '-c', 'import socket; socket.socket()']);
    assert.is(plain.status, 1);
    assert.match(plain.stderr, /OSError: \[Errno 97\] Address family not supported by protocol/);
  });

  test('a .bpf compiled by seccompile from policies/net-off.ts behaves as the built-in', async () => {
    const out = join(dir, 'net-off.bpf');
    execFileSync(join(root, 'bin', 'seccompile'), [join(root, 'policies', 'net-off.ts'), '-o', out]);
    const r = await jail(['--policy', out, '--', python, '-c', SOCKET_PROBE]);
    assert.is(r.stdout, NO_INET_OUTPUT, r.stderr);
  });

  test('bwrap --seccomp enforces the built-in net-off .bpf the same way', () => {
    if (!need('tool', existsSync('/usr/bin/bwrap'), 'bwrap comparison', 'bubblewrap is not installed')) return;
    const fd = openSync(builtin('net-off'), 'r');
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

  test('default (no --policy): ordinary programs run; creating namespaces is denied', async () => {
    const r = await jail(['--', '/bin/sh', '-c', `echo hi | cat; ${python} -c 'print(1 + 1)'; unshare --net true || echo denied`]);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, 'hi\n2\ndenied\n');
    assert.match(r.stderr, /unshare failed: Operation not permitted/);
  });

  test('stdio denies execve: refused before anything runs', async () => {
    const r = await jail(['--policy', 'stdio', '--', '/bin/true']);
    assert.is(r.status, 125);
    assert.is(r.stderr, `jail: policy: stdio denies execve (KILL_PROCESS) on ${hostArchName()}: the command could not start under it\n`);
  });
}

test.run();
