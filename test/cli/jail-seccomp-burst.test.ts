/**
 * jail names the syscall of a seccomp kill even while other processes on the machine are being
 * killed by seccomp at the same time (as the test suite itself does: kernel comparisons and
 * other jail tests run in parallel). Without auditd the kernel prints audit records through
 * printk_ratelimit() (10 per 5 s, machine-wide), so a burst of other kills makes /dev/kmsg lose
 * the record; jail reads it from the audit multicast group instead (src/launcher/kill-report/audit-netlink.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasNamespaces, hasSeccomp, isRoot, need } from '../support/capabilities.js';
import { jail, killInetFilter, python, tempDir, writeFilter } from '../support/jail.js';

const ok = need('root', isRoot(), 'jail seccomp burst', 'namespaces and the audit multicast group need root') &&
  need('namespaces', hasNamespaces(), 'jail seccomp burst', 'the kernel has no namespaces') &&
  need('seccomp', hasSeccomp(), 'jail seccomp burst', 'the kernel has no seccomp');

const source = join(dirname(fileURLToPath(import.meta.url)), '..', 'support', 'seccomp-burst.c');

/** Starts the burst generator (pausing `pauseUs` after each kill) and resolves once 50 kills happened. */
function startBurst(binary: string, pauseUs: number): Promise<{ stop: () => Promise<number> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [String(pauseUs)], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    const closed = new Promise<number>((res) => child.on('close', () => res(Number(/kills (\d+)/.exec(out)?.[1] ?? -1))));
    child.on('error', reject);
    child.stdout.on('data', (d) => {
      out += d;
      if (out.startsWith('ready\n')) resolve({ stop: () => (child.stdin.end(), closed) });
    });
    child.on('close', (code) => {
      if (!out.startsWith('ready')) reject(new Error(`seccomp-burst exited ${code} before 50 kills`));
    });
  });
}

if (ok) {
  const dir = tempDir();
  const binary = join(dir, 'seccomp-burst');
  execFileSync('gcc', ['-O2', '-Wall', '-Werror', '-o', binary, source], { stdio: 'inherit' });
  const kill = writeFilter(dir, 'kill-inet.bpf', killInetFilter());

  test('the syscall is named while another process produces a burst of seccomp kills', async () => {
    const burst = await startBurst(binary, 1000); // ~400 kills/s here
    const runs = [];
    try {
      for (let i = 0; i < 3; i++) runs.push(await jail(['--policy', kill, '--', python, '-c', 'import socket; socket.socket()']));
    } finally {
      const kills = await burst.stop();
      assert.ok(kills > 50, `the burst made only ${kills} kills`);
    }
    for (const r of runs) {
      assert.is(r.status, 159);
      assert.is(r.stderr, `jail: killed by seccomp policy ${kill}: syscall socket (41)\n`);
    }
  });

  test('a long run under a sustained burst: the audit socket is drained meanwhile, so it does not overflow', async () => {
    // As fast as the machine forks (~1700 kills/s here, ~4 MB/s of records in the socket): more
    // than the default receive buffer (~200 KiB) holds in the 1.5 s the command runs.
    const burst = await startBurst(binary, 0);
    let r;
    try {
      r = await jail(['--policy', kill, '--', python, '-c', 'import socket, time; time.sleep(1.5); socket.socket()']);
    } finally {
      await burst.stop();
    }
    assert.is(r.stderr, `jail: killed by seccomp policy ${kill}: syscall socket (41)\n`);
  });
}

test.run();
