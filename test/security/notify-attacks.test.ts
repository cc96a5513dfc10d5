// test-runner: serial
/**
 * jail's seccomp-notification path (--report-denials and --learn) attacked by its command, for
 * real: a static attacker (test/security/notify-attack.c) that is root in the jail tries to
 * reach the listener, to override jail's answers with a filter of its own, to get a different
 * answer through another ABI or a number past the tables, to disturb the worker with threads
 * that exec, children killed while they wait, floods, signals to jail, processes left behind,
 * made-up numbers in the report and more distinct calls than jail keeps. Every call it makes is
 * harmless if a defence fails (getppid, getpgrp, ioctl on a pipe, sockets of no family, numbers
 * no kernel has), and every rule of the policy has its own errno, so a wrong answer shows.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasCgroups, hasNamespaces, hasSeccomp, isRoot, need } from '../support/capabilities.js';
import { abiFeatures } from '../support/abi-probe.js';
import { probeUserNamespaces } from '../../src/launcher/userns.js';
import { cgroupsOf, jail, MARKER, processesWith, root, sleep, tempDir, type Run, type RunOptions } from '../support/jail.js';

const SOURCE = fileURLToPath(new URL('notify-attack.c', import.meta.url));
const hasGccStatic = () =>
  spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status === 0 &&
  ['x86_64', 'aarch64'].some((a) => existsSync(`/usr/lib/${a}-linux-gnu/libc.a`));

const ok =
  need('root', isRoot(), 'notification attacks', 'namespaces need root') &&
  need('namespaces', hasNamespaces(), 'notification attacks', 'the kernel has no namespaces') &&
  need('seccomp', hasSeccomp(), 'notification attacks', 'the kernel has no seccomp') &&
  need('cgroups', hasCgroups(), 'notification attacks', 'no cgroup hierarchy') &&
  need('tool', process.arch === 'x64', 'notification attacks', `the attacker's ABI rows are x86_64 numbers (host: ${process.arch})`) &&
  need('tool', hasGccStatic(), 'notification attacks', 'gcc and a static libc (Debian packages gcc, libc6-dev) build the attacker');

// x86_64 numbers; the i386 ones for int $0x80.
const GETPPID = 110;
const GETPGRP = 111;
const GETUID = 102;
const IOCTL = 16;
const SOCKET = 41;
const I386_GETPPID = 64;
const I386_GETPGRP = 65;
const I386_GETUID32 = 199;
const X32 = 0x40000000;
// The policy's errnos, one per rule.
const EACCES = 13; // getppid
const ENOTSUP = 95; // getpgrp
const ENOTTY = 25; // ioctl
const EAFNOSUPPORT = 97; // socket
const ENOMSG = 42; // numbers past the tables (newer)
const EBUSY = 16;
const ENOSYS = 38;

if (ok) {
  const work = tempDir();
  chmodSync(work, 0o755);
  // The marker in its name finds the attacker (and what it leaves behind) among all processes.
  const attacker = join(work, `notify-attack-${MARKER}`);
  execFileSync('gcc', ['-static', '-O2', '-Wall', '-Werror', '-pthread', '-o', attacker, SOURCE], { stdio: 'inherit' });
  const policy = join(work, 'attacked.ts');
  writeFileSync(
    policy,
    `import { allow, errno, policy } from 'seccompile';
export default policy({
  default: allow(),
  newer: errno('ENOMSG'),
  rules: [
    errno('EACCES').on('getppid'),
    errno('ENOTSUP').on('getpgrp'),
    errno('ENOTTY').on('ioctl'),
    errno('EAFNOSUPPORT').on('socket'),
  ],
});
`,
  );
  const plain = ['--policy', policy];
  const report = ['--report-denials', '--policy', policy];
  let learned = 0;
  const learn = () => ['--learn', join(work, `learned-${learned++}.ts`)];

  /** Runs the attacker with `actions` under jail; SIGKILLs a jail that has not ended after `limitMs` (a hang). */
  const attack = async (flags: readonly string[], actions: readonly (string | number)[][], opts: RunOptions & { limitMs?: number } = {}) => {
    let timer: NodeJS.Timeout | undefined;
    let hung = false;
    const argv = actions.flatMap((a, i) => (i === 0 ? a : ['+', ...a])).map(String);
    const r = await jail(['--ro-bind', work, ...flags, '--', attacker, ...argv], {
      ...opts,
      onSpawn: (pid) => {
        timer = setTimeout(() => ((hung = true), process.kill(pid, 'SIGKILL')), opts.limitMs ?? 60_000);
        opts.onSpawn?.(pid);
      },
    });
    clearTimeout(timer);
    assert.not.ok(hung, `jail did not end: ${r.stderr}`);
    return r;
  };
  /** The run's "ACTION: RESULT" lines. */
  const results = (r: Run) => r.stdout.split('\n').filter((l) => /^[a-z0-9-]+( install)?: /.test(l));
  /** The attacker's processes (not jail, whose command line names it too). */
  const attackers = () =>
    processesWith(`notify-attack-${MARKER}`).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith(attacker);
      } catch {
        return false;
      }
    });
  /** After jail: nothing of the attacker's runs, no cgroup of the run is left. */
  const nothingLeft = async (r: Run) => {
    let left = attackers();
    for (let i = 0; i < 40 && left.length > 0; i++) {
      await sleep(50);
      left = attackers();
    }
    assert.equal(left, [], 'processes left behind');
    assert.equal(cgroupsOf([r.pid]), [], 'cgroups left behind');
  };

  test("positive control: a listener the command holds is found by each probe", async () => {
    // Without jail's listener in the chain, the command may install one of its own.
    const r = await attack(plain, [['own-listener'], ['listener-fds'], ['proc-fd', 1], ['getfd', 1]]);
    assert.is(r.status, 0, r.stderr);
    assert.equal(results(r).map((l) => l.replace(/fd \d+$/, 'fd N')), ['own-listener: installed', 'listener-fds: LISTENER fd N', 'proc-fd: LISTENER', 'getfd: LISTENER']);
  });

  const modes: [string, () => string[]][] = [
    ['--report-denials', () => report],
    ['--learn', learn],
  ];
  for (const [mode, flags] of modes) {
    test(`${mode}: the listener is out of the command's reach (its fds, /proc/1, pidfd_getfd, the parent)`, async () => {
      const probes = [['listener-fds'], ['proc-fd', 1], ['getfd', 1], ['proc-fd', 'ppid'], ['getfd', 'ppid']];
      const inNs = await attack(flags(), probes);
      assert.is(inNs.status, 0, inNs.stderr);
      // PID 1 is the command itself; its parent is outside the pid namespace (getppid: 0).
      assert.equal(results(inNs), ['listener-fds: none', 'proc-fd: none', 'getfd: none', 'proc-fd: errno 2', 'getfd: pidfd_open errno 22']);
      // Without a pid namespace the parent is jail itself, which is not dumpable: no
      // /proc/PID/fd, no pidfd_getfd without CAP_SYS_PTRACE (not in the default set).
      const host = await attack(['--no-pid', ...flags()], probes);
      assert.is(host.status, 0, host.stderr);
      // PID 1 is the host's init: the same refusals (it has capabilities the command lacks).
      assert.equal(results(host), ['listener-fds: none', 'proc-fd: errno 13', 'getfd: pidfd_getfd errno 1', 'proc-fd: errno 13', 'getfd: pidfd_getfd errno 1']);
    });
  }

  const userns = probeUserNamespaces();
  if (need('namespaces', userns.ok, 'notification attacks without root', userns.why ?? '')) {
    test('--report-denials without root: the listener out of reach, no listener of its own, a flood answered right', async () => {
      const r = await attack(report, [['listener-fds'], ['proc-fd', 1], ['getfd', 1], ['getfd', 'ppid'], ['own-listener'], ['flood', 8, 1000, GETPPID, EACCES]], {
        asUser: 'nobody',
      });
      assert.is(r.status, 0, r.stderr);
      assert.equal(results(r), ['listener-fds: none', 'proc-fd: none', 'getfd: none', 'getfd: pidfd_open errno 22', `own-listener: errno ${EBUSY}`, 'flood: 8000 calls, 0 wrong']);
      assert.match(r.stderr, /^jail: denied getppid\(\) -> EACCES x8000 /m);
    });
  }

  const override: [string, () => string[], number, string[]][] = [
    // Without the report jail's errno outranks a notification (SECCOMP_RET_ERRNO < USER_NOTIF).
    ['no report', () => plain, GETPGRP, ['own-listener: installed', `own-notif: errno ${EACCES}`, `call: errno ${ENOTSUP}`]],
    // One listener per chain: jail's is first. The command's USER_NOTIF filter then decides
    // (the newest of equal actions), has no listener, and the kernel answers ENOSYS.
    ['--report-denials', () => report, GETPGRP, [`own-listener: errno ${EBUSY}`, `own-notif: errno ${ENOSYS}`, `call: errno ${ENOTSUP}`]],
    // -v turns the report on; --no-report-denials leaves the command its own listener.
    ['--verbose', () => ['--verbose', ...plain], GETPGRP, [`own-listener: errno ${EBUSY}`, `own-notif: errno ${ENOSYS}`, `call: errno ${ENOTSUP}`]],
    ['--verbose --no-report-denials', () => ['--verbose', '--no-report-denials', ...plain], GETPGRP, ['own-listener: installed', `own-notif: errno ${EACCES}`, `call: errno ${ENOTSUP}`]],
    // The other calls still go through jail's listener: getuid, run, says root.
    ['--learn', learn, GETUID, [`own-listener: errno ${EBUSY}`, `own-notif: errno ${ENOSYS}`, 'call: ret 0']],
  ];
  for (const [mode, flags, other, expected] of override) {
    test(`${mode}: a filter of the command's own cannot take over jail's answers`, async () => {
      const r = await attack(flags(), [['own-listener'], ['own-notif', GETPPID], ['call', other]]);
      assert.is(r.status, 0, r.stderr);
      assert.equal(results(r), expected);
    });
  }

  test('--report-denials: every ABI and every number past the tables gets the errno the kernel gives without the report', async () => {
    const { ia32 } = abiFeatures();
    const rows: [(string | number)[], string][] = [
      [['call', GETPPID], `errno ${EACCES}`],
      [['call', GETPGRP], `errno ${ENOTSUP}`],
      [['call', X32 | GETPPID], `errno ${EACCES}`],
      [['call', X32 | GETPGRP], `errno ${ENOTSUP}`],
      [['call', X32 | 0x1000], `errno ${ENOMSG}`],
      [['call', 1000], `errno ${ENOMSG}`],
      [['call', 0x3fffffff], `errno ${ENOMSG}`],
      [['call', '0xffffffffffffffff'], `errno ${ENOMSG}`],
      [['call', 0x7fffffff], `errno ${ENOMSG}`],
      ...(ia32
        ? ([
            [['int80', I386_GETPPID], `errno ${EACCES}`],
            [['int80', I386_GETPGRP], `errno ${ENOTSUP}`],
            [['int80', 5000], `errno ${ENOMSG}`],
            [['int80', I386_GETUID32], 'ret 0'],
          ] as [(string | number)[], string][])
        : []),
    ];
    const actions = rows.map(([a]) => a);
    const without = await attack(plain, actions);
    const withReport = await attack(report, actions);
    assert.is(withReport.status, 0, withReport.stderr);
    assert.equal(results(without), rows.map(([a, e]) => `${a[0]}: ${e}`));
    assert.equal(results(withReport), results(without));
    assert.match(withReport.stderr, /^jail: denied getppid\(\) on x32 -> EACCES x1 /m);
    if (ia32) assert.match(withReport.stderr, /^jail: denied getppid\(\) on x86 -> EACCES x1 /m);
  });

  test('--report-denials: threads flooding while one exec()s, children killed while they wait; every answer right', async () => {
    const r = await attack(report, [['flood', 16, 2000, GETPPID, EACCES], ['kill-waiting', 30, GETPPID], ['call', GETPGRP], ['exec-race', GETPPID]]);
    assert.is(r.status, 0, r.stderr);
    assert.equal(results(r), ['flood: 32000 calls, 0 wrong', 'kill-waiting: killed 30', `call: errno ${ENOTSUP}`, `call: errno ${EACCES}`]);
    const count = Number(/^jail: denied getppid\(\) -> EACCES x(\d+) /m.exec(r.stderr)?.[1]);
    assert.ok(count >= 32_001, r.stderr);
    assert.not.match(r.stderr, /denial report:/);
  });

  test('--learn: children killed while they wait, threads calling while one exec()s', async () => {
    const r = await attack(learn(), [['kill-waiting', 20, GETPPID], ['exec-race', GETPPID]]);
    assert.is(r.status, 0, r.stderr);
    assert.equal(results(r), ['kill-waiting: killed 20', 'call: ret 0']);
    assert.match(r.stderr, /^jail: learned \d+ distinct calls/m);
  });

  for (const [mode, flags] of modes) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      test(`${mode}: ${signal} to jail while calls wait for their answer: the command ends, nothing is left`, async () => {
        let sent = false;
        const r = await attack(['--kill-after', '1', ...flags()], [['flood', 8, 1e12, GETPPID, 0]], {
          onSpawn: (pid) =>
            void (async () => {
              for (let i = 0; i < 400 && attackers().length === 0; i++) await sleep(25);
              await sleep(300);
              sent = true;
              process.kill(pid, signal);
            })(),
        });
        assert.ok(sent);
        // PID 1 of the pid namespace ignores the signal: the SIGKILL after --kill-after ends it.
        assert.is(r.status, 137, r.stderr);
        await nothingLeft(r);
      });
    }

    test(`${mode} --no-pid: a process the command leaves behind, calling without pause, does not keep jail from ending`, async () => {
      const r = await attack(['--no-pid', ...flags()], [['orphan', GETPPID], ['call', GETPGRP]]);
      assert.is(r.status, 0, r.stderr);
      assert.is(results(r)[0], 'orphan: forked');
      assert.match(r.stderr, mode === '--learn' ? /^jail: learned \d+ distinct calls/m : /^jail: denied getpgrp\(\) -> ENOTSUP x1 /m);
      await nothingLeft(r);
    });
  }

  for (const [mode, flags] of modes) {
    for (const pidNs of [true, false]) {
      test(`${mode}${pidNs ? '' : ' --no-pid'}: jail SIGKILLed while calls wait for their answer: the command does not outlive it`, async () => {
        let killed = false;
        const r = await attack([...(pidNs ? [] : ['--no-pid']), ...flags()], [['flood', 8, 1e12, GETPPID, 0]], {
          onSpawn: (pid) =>
            void (async () => {
              for (let i = 0; i < 400 && attackers().length === 0; i++) await sleep(25);
              await sleep(300);
              killed = true;
              process.kill(pid, 'SIGKILL');
            })(),
        });
        assert.ok(killed);
        assert.is(r.signal, 'SIGKILL');
        // The parent-death signal (or, without a pid namespace, jail's watchdog) ends it.
        let left = attackers();
        for (let i = 0; i < 60 && left.length > 0; i++) {
          await sleep(50);
          left = attackers();
        }
        assert.equal(left, [], 'the command outlived jail');
      });
    }
  }

  test('--learn --timeout: a command that never exits is ended, and what it did is written', async () => {
    const out = learn();
    const r = await attack(['--timeout', '1', '--kill-after', '1', ...out], [['forever', GETPPID]]);
    assert.is(r.status, 137, r.stderr);
    assert.match(r.stderr, /^jail: learned \d+ distinct calls/m);
    assert.match(readFileSync(out[1]!.replace(/\.ts$/, '.cases.jsonl'), 'utf8'), /"syscall":"getppid"/);
    await nothingLeft(r);
  });

  const madeUp: (string | number)[][] = [
    ['call', IOCTL, 0, '0xdeadbeefcafe0a0a'],
    ['call', SOCKET, '0x7fffff0a'],
    ['call', SOCKET, '0xffffffffffffffff'],
    ['call', 1000, '0x0a0a0a0a0a0a0a0a'],
    ['call', X32 | 0x1000, '0x0a'],
  ];
  test('--report-denials: what the command chooses (numbers, arguments) cannot add lines or text to the report', async () => {
    const r = await attack(report, madeUp);
    assert.is(r.status, 0, r.stderr);
    assert.equal(results(r), [`call: errno ${ENOTTY}`, `call: errno ${EAFNOSUPPORT}`, `call: errno ${EAFNOSUPPORT}`, `call: errno ${ENOMSG}`, `call: errno ${ENOMSG}`]);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    assert.is(lines.length, 5, r.stderr);
    const shape = /^jail: denied ([a-z0-9_]+|syscall \d+)\(([A-Z0-9_]*|0x[0-9a-f]+)\)( on [a-z0-9_]+)? -> (E[A-Z0-9]+|errno \d+) x1 \[\S+attacked\.ts: (rules\[\d\] \S+attacked\.ts:\d+:\d+|newer)\]$/;
    for (const line of lines) assert.match(line, shape);
    assert.match(r.stderr, /denied ioctl\(0xcafe0a0a\) -> ENOTTY/);
    assert.match(r.stderr, /denied socket\(0x7fffff0a\) -> EAFNOSUPPORT/);
  });

  test('--learn: the same made-up values become numbers in a policy that loads and replays its cases', async () => {
    const out = learn();
    const r = await attack(out, madeUp);
    assert.is(r.status, 0, r.stderr);
    const check = spawnSync(join(root, 'bin', 'seccompile'), ['test', out[1]!, out[1]!.replace(/\.ts$/, '.cases.jsonl')], { encoding: 'utf8' });
    assert.is(check.status, 0, check.stdout + check.stderr);
    const text = readFileSync(out[1]!, 'utf8');
    assert.match(text, /arg\(1\)\.int\.eq\(0xcafe0a0a\)|arg\(1\)\.int\.eq\(3405646346\)/);
  });

  test('--learn: a command making up more distinct numbers than jail keeps is cut off and told', async () => {
    const out = learn();
    const r = await attack(out, [['distinct', 1000, 6000]]);
    assert.is(r.status, 0, r.stderr);
    const unrecorded = Number(/^jail: (\d+) calls were not recorded: the command made more distinct calls than jail keeps/m.exec(r.stderr)?.[1]);
    assert.ok(unrecorded >= 6000 - 4096 && unrecorded <= 6000, r.stderr);
    const unknown = /^jail: calls the syscall tables do not name \(not in the policy\): (.*)$/m.exec(r.stderr)?.[1] ?? '';
    assert.is(unknown.split(', ').length, 20, unknown);
    assert.match(unknown, / and \d+ more$/);
  });
}

test.run();
