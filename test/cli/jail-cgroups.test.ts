/**
 * jail's cgroup limits, with real processes: the memory limit kills and is reported, the
 * seed's `--memory 10M` example works (Node's start-up is not charged to the command), a
 * bounded fork bomb under --pids 32 is contained, --cpus 0.2 throttles a busy loop. When the
 * cgroup holds no limit, the supervisor moves the init stage into it while that stage starts;
 * a policy error found meanwhile still leaves no process and no cgroup behind.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hasCgroupV2Limits, hasCgroups, hasNamespaces, isRoot, need } from '../support/capabilities.js';
import { readCgroupMounts } from '../../src/launcher/cgroups/cgroups.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jail, python, tempDir } from '../support/jail.js';

const ok = need('root', isRoot(), 'jail cgroups', 'cgroups need root') &&
  need('namespaces', hasNamespaces(), 'jail cgroups', 'the kernel has no namespaces') &&
  need('cgroups', hasCgroups(), 'jail cgroups', 'no cgroup filesystem mounted');

if (ok) {
  test("the seed's example: jail --memory 10M -- /bin/sh -c 'echo ok' prints ok", async () => {
    const r = await jail(['--memory', '10M', '--no-seccomp', '--', '/bin/sh', '-c', 'echo ok']);
    assert.is(r.stdout, 'ok\n', r.stderr);
    assert.is(r.status, 0);
  });

  test('without limits: the supervisor moves the init stage into the cgroup early; the command runs in it', async () => {
    const r = await jail(['--verbose', '--no-seccomp', '--', '/bin/cat', '/proc/self/cgroup']);
    assert.is(r.status, 0, r.stderr);
    const created = /^jail: create cgroup: v\d (\S+)/m.exec(r.stderr);
    const joined = /^jail: join cgroup: init stage \(pid (\d+)\) -> (\S+)$/m.exec(r.stderr);
    assert.ok(created && joined, r.stderr);
    assert.is(joined[2], join(created[1]!, 'cgroup.procs'));
    // The command's own view: the run's cgroup is the root of its cgroup namespace.
    assert.ok(r.stdout.trim().split('\n').every((l) => l.endsWith(':/')), r.stdout);
    assert.not.ok(existsSync(created[1]!), 'removed after the run');
  });

  test('with a memory limit: the init stage joins the limiting hierarchy late; only a v1 devices hierarchy early', async () => {
    const r = await jail(['--verbose', '--memory', '64M', '--no-seccomp', '--', '/bin/true']);
    assert.is(r.status, 0, r.stderr);
    const early = [...r.stderr.matchAll(/^jail: join cgroup: init stage \(pid \d+\) -> (\S+)$/gm)].map((m) => m[1]!);
    assert.ok(early.every((f) => /\/devices\/seccompile\//.test(f)), early.join(' '));
    // v1: the memory hierarchy's cgroup.procs; v2: the one cgroup's.
    assert.match(r.stderr, /\[init\] join cgroup: \S+\/cgroup\.procs/);
  });

  test('a policy error found while the init stage starts: exit 125, no process or cgroup left', async () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.bpf');
    writeFileSync(bad, Buffer.alloc(12)); // not a multiple of 8 bytes
    const r = await jail(['--verbose', '--policy', bad, '--', '/bin/true']);
    assert.is(r.status, 125, r.stderr);
    const created = /^jail: create cgroup: v\d (\S+)/m.exec(r.stderr);
    const joined = /^jail: join cgroup: init stage \(pid (\d+)\)/m.exec(r.stderr);
    assert.ok(created && joined, r.stderr);
    assert.match(r.stderr, /^jail: policy: .*bad\.bpf/m);
    assert.not.ok(existsSync(created[1]!), 'cgroup removed');
    const pid = Number(joined[1]);
    const alive = existsSync(`/proc/${pid}`) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('jail-init');
    assert.not.ok(alive, `init stage ${pid} still runs`);
    assert.not.match(r.stderr, /\[init\]/, 'the init stage did no setup');
  });

  test('memory: allocating 200 MB under --memory 50M is killed and reported', async () => {
    const r = await jail(['--memory', '50M', '--no-seccomp', '--', python, '-c', 'x = bytearray(200 * 1024 * 1024); print("survived")']);
    assert.is(r.stdout, '');
    assert.is(r.status, 137);
    assert.is(r.stderr, 'jail: killed by the memory limit (50M): out of memory\n');
  });

  test('memory: a child killed by the limit is reported even when the command survives', async () => {
    const r = await jail(['--memory', '50M', '--no-seccomp', '--', '/bin/sh', '-c',
      `${python} -c 'x = bytearray(200 * 1024 * 1024)'; echo "child status $?"`]);
    assert.is(r.stdout, 'child status 137\n', r.stderr);
    assert.is(r.status, 0);
    assert.match(r.stderr, /(^|\n)jail: the memory limit \(50M\) killed 1 process: out of memory\n$/);
  });

  test('v2: where the unified hierarchy offers memory, pids and cpu, every limit uses it', async () => {
    if (!need('cgroup-v2', hasCgroupV2Limits(), 'jail cgroup v2 limits', 'no cgroup v2 hierarchy with memory, pids and cpu here (v2 files are tested on fake trees)')) return;
    const r = await jail(['--verbose', '--memory', '64M', '--pids', '32', '--cpus', '0.5', '--no-seccomp', '--', '/bin/true']);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`^jail: create cgroup: v2 ${readCgroupMounts().v2}/seccompile/jail-`, 'm'));
  });

  test('memory: --memory-swap sets memory plus swap; without it there is no swap', async () => {
    // Read from the host while the command runs (the jail itself sees no cgroup filesystem).
    const read = (dirs: string[]) => {
      const v1 = dirs.find((d) => existsSync(join(d, 'memory.limit_in_bytes')));
      if (v1) return [readFileSync(join(v1, 'memory.limit_in_bytes'), 'utf8'), readFileSync(join(v1, 'memory.memsw.limit_in_bytes'), 'utf8')].map(Number);
      const v2 = dirs.find((d) => existsSync(join(d, 'memory.max')))!;
      const max = Number(readFileSync(join(v2, 'memory.max'), 'utf8'));
      return [max, max + Number(readFileSync(join(v2, 'memory.swap.max'), 'utf8'))];
    };
    for (const [flags, want] of [
      [['--memory', '64M', '--memory-swap', '96M'], [64 << 20, 96 << 20]],
      [['--memory', '64M'], [64 << 20, 64 << 20]],
    ] as const) {
      let got: number[] | undefined;
      let stderr = '';
      const r = await jail(['-v', ...flags, '--no-seccomp', '--', '/bin/sh', '-c', 'echo ready; sleep 1'], {
        onStderr: (err) => (stderr = err),
        onStdout: (out) => {
          const dirs = /^jail: create cgroup: v\d (.+)$/m.exec(stderr)?.[1]?.split(' ');
          if (got === undefined && out.includes('ready') && dirs) got = read(dirs);
        },
      });
      assert.is(r.status, 0, r.stderr);
      assert.equal(got, [...want], r.stderr);
    }
  });

  test('pids: a bounded fork bomb under --pids 32 is contained and reported', async () => {
    // At most 100 fork attempts, each child sleeping 2 s: without the limit, 100 processes.
    const bomb = `
import os, time, errno
made = refused = 0
for _ in range(100):
    try:
        pid = os.fork()
    except OSError as e:
        assert e.errno == errno.EAGAIN, e
        refused += 1
        continue
    if pid == 0:
        time.sleep(2); os._exit(0)
    made += 1
print(made, refused)
`;
    const r = await jail(['--pids', '32', '--no-seccomp', '--', python, '-c', bomb]);
    assert.is(r.status, 0, r.stderr);
    const [made, refused] = r.stdout.trim().split(' ').map(Number);
    assert.ok(made! <= 31 && made! >= 20, `made ${made}`);
    assert.is(made! + refused!, 100);
    assert.is(r.stderr, `jail: the pids limit (32) refused ${refused} forks\n`);
  });

  test('cpus: a busy loop under --cpus 0.2 gets about a fifth of a CPU (loose bound)', async () => {
    const loop = `
import time, os
w0, c0 = time.monotonic(), time.process_time()
while time.monotonic() - w0 < 1.5:
    pass
print((time.process_time() - c0) / (time.monotonic() - w0))
`;
    const r = await jail(['--cpus', '0.2', '--no-seccomp', '--', python, '-c', loop]);
    assert.is(r.status, 0, r.stderr);
    const share = Number(r.stdout.trim());
    // 0.2 of a CPU; the bound is loose because CFS accounts in 100 ms periods and the
    // machine may be busy (which only lowers the share).
    assert.ok(share > 0 && share < 0.35, `cpu share ${share}`);
  });
}

test.run();
