/**
 * `--cap-drop`/`--cap-add` with real processes: the command's capability sets as
 * /proc/self/status shows them, the kernel enforcing a dropped one (mount without
 * CAP_SYS_ADMIN), and `jail enter` keeping the jail's set.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { hasCgroups, hasNamespaces, isRoot, need } from '../support/capabilities.js';
import { background, stateEnv, uniqueName, waitRunning } from '../support/container.js';
import { jail } from '../support/jail.js';

const ok =
  need('root', isRoot(), 'jail capabilities', 'only root has capabilities to drop') &&
  need('namespaces', hasNamespaces(), 'jail capabilities', 'the kernel has no namespaces') &&
  need('cgroups', hasCgroups(), 'jail capabilities', 'no cgroup hierarchy');

/** CapInh, CapPrm, CapEff, CapBnd, CapAmb of /proc/self/status text, as bigints. */
function capSets(status: string): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const m of status.matchAll(/^(Cap\w+):\s+([0-9a-f]+)$/gm)) out[m[1]!] = BigInt(`0x${m[2]}`);
  return out;
}

const SHOW = ['--no-seccomp', '--', '/bin/cat', '/proc/self/status'];

if (ok) {
  const own = capSets(readFileSync('/proc/self/status', 'utf8'));
  const bit = (n: number) => 1n << BigInt(n);
  // CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP
  const DOCKER = [0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 27, 29, 31].reduce((m, n) => m | bit(n), 0n);

  const rows: Array<[string, string[], (s: Record<string, bigint>) => void]> = [
    ["no option: Docker's default set", [], (s) => {
      assert.is(s.CapBnd, DOCKER & own.CapBnd!);
      assert.is(s.CapEff, DOCKER & own.CapEff!);
    }],
    ['--cap-add all: everything jail has', ['--cap-add', 'all'], (s) => {
      assert.is(s.CapBnd, own.CapBnd);
      assert.is(s.CapEff, own.CapEff);
    }],
    ['--cap-drop all: every set empty', ['--cap-drop', 'all'], (s) => {
      for (const k of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) assert.is(s[k], 0n, k);
    }],
    ['--cap-drop all --cap-add NET_BIND_SERVICE: only that one', ['--cap-drop', 'all', '--cap-add', 'NET_BIND_SERVICE'], (s) => {
      assert.is(s.CapBnd, bit(10) & own.CapBnd!);
      assert.is(s.CapEff, bit(10) & own.CapEff!);
    }],
    ['--cap-drop NET_RAW,CHOWN: the default set but those', ['--cap-drop', 'NET_RAW,CHOWN'], (s) => {
      assert.is(s.CapBnd, DOCKER & own.CapBnd! & ~(bit(13) | bit(0)));
      assert.is(s.CapEff, DOCKER & own.CapEff! & ~(bit(13) | bit(0)));
    }],
    ['--cap-add SYS_PTRACE: the default set and that one', ['--cap-add', 'SYS_PTRACE'], (s) => {
      assert.is(s.CapBnd, (DOCKER | bit(19)) & own.CapBnd!);
    }],
  ];
  for (const [name, flags, check] of rows) {
    test(`capabilities: ${name}`, async () => {
      const r = await jail([...flags, ...SHOW]);
      assert.is(r.status, 0, r.stderr);
      if (flags.includes('all') && flags[0] === '--cap-add') assert.match(r.stderr, /^jail: warning: --cap-add all: .*can leave the jail\n$/);
      else assert.is(r.stderr, '');
      check(capSets(r.stdout));
    });
  }

  test('capabilities: the kernel enforces them (mount in the jail needs CAP_SYS_ADMIN)', async () => {
    const mount = ['--no-seccomp', '--', '/bin/sh', '-c', 'mount -t tmpfs none /mnt && echo mounted'];
    const kept = await jail(['--cap-add', 'SYS_ADMIN', ...mount]);
    assert.is(kept.stdout, 'mounted\n', kept.stderr);
    const dropped = await jail(mount);
    assert.is(dropped.stdout, '');
    assert.is.not(dropped.status, 0);
    assert.match(dropped.stderr, /permission denied/i);
  });

  test('capabilities: jail enter keeps the set of the jail it enters', async () => {
    const env = stateEnv();
    const name = uniqueName('cap');
    const run = background(['--name', name, '--cap-drop', 'all', '--cap-add', 'CHOWN', '--no-seccomp', '--', 'sleep', '60'], env);
    try {
      await waitRunning(name, env, run);
      const r = await jail(['enter', name, '--', '/bin/cat', '/proc/self/status'], { env });
      assert.is(r.status, 0, r.stderr);
      assert.is(capSets(r.stdout).CapBnd, bit(0) & own.CapBnd!);
    } finally {
      await jail(['stop', '--timeout', '0', name], { env });
      await run.ended;
    }
  });
}

test.run();
