/**
 * `jail --learn` for real: a probe (test/learn/learn-probe.c) that makes rare calls from its
 * main thread, a second thread and a forked child, and one call a million times. Learn mode
 * must record exactly the calls strace -f sees of the same program (nothing lost, nothing of
 * jail's own), the argument values of interest, and every one of the million calls; the policy
 * it writes replays its cases offline, runs the probe with no denial, and refuses a call taken
 * out of it. Then sh, python and node: learned, merged into one policy, and run under it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasNamespaces, hasSeccomp, isRoot, need } from '../support/capabilities.js';
import { cProbe, hasGcc } from '../support/c-probe.js';
import { jail, python, root, tempDir } from '../support/jail.js';

const ok =
  need('root', isRoot(), 'jail --learn', 'namespaces need root') &&
  need('namespaces', hasNamespaces(), 'jail --learn', 'the kernel has no namespaces') &&
  need('seccomp', hasSeccomp(), 'jail --learn', 'the kernel has no seccomp') &&
  need('tool', hasGcc(), 'jail --learn', 'gcc builds the probe (Debian package gcc)') &&
  need('tool', spawnSync('strace', ['-V'], { stdio: 'ignore' }).status === 0, 'jail --learn', 'strace is the reference (Debian package strace)');

const dir = tempDir();
const seccompile = join(root, 'bin', 'seccompile');
const MILLION = 1_000_000;

interface CaseLine {
  readonly arch: string;
  readonly syscall: string;
  readonly args?: readonly number[];
}
const cases = (file: string): CaseLine[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as CaseLine);

if (ok) {
  const probe = join(dir, 'learn-probe');
  copyFileSync(cProbe('learn-probe'), probe);
  const inJail = ['--ro-bind', dir];
  const policy = join(dir, 'probe.ts');

  test('records exactly what strace -f sees, the values of interest, and all of a million calls', async () => {
    const r = await jail([...inJail, '--learn', policy, '--', probe, String(MILLION)]);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`getpriority x${MILLION}: 0 failed`));
    const total = Number(/learned \d+ distinct calls \((\d+) in all\)/.exec(r.stderr)?.[1]);
    assert.ok(total >= MILLION, `${total} calls recorded: ${r.stderr}`);

    const trace = join(dir, 'strace.txt');
    execFileSync('strace', ['-f', '-qq', '-o', trace, probe, '1000'], { stdio: 'ignore' });
    const traced = new Set([...readFileSync(trace, 'utf8').matchAll(/^\d+\s+([a-z0-9_]+)\(/gm)].map((m) => m[1]!));
    const learned = cases(join(dir, 'probe.cases.jsonl'));
    assert.equal(new Set(learned.map((c) => c.syscall)), traced);
    assert.ok(learned.every((c) => c.arch === learned[0]!.arch), 'one arch');
    const values: [string, number][] = [
      ['personality', 0xffffffff],
      ['socket', 1],
      ['prctl', 3],
      ['clone', 0],
    ];
    for (const [syscall, value] of values) {
      assert.equal(learned.filter((c) => c.syscall === syscall).map((c) => c.args?.at(-1)), [value], syscall);
    }
  });

  test('the learned policy replays its cases, runs the probe with no denial, and refuses what is taken out', async () => {
    assert.ok(existsSync(policy), 'learned by the test before');
    const replay = spawnSync(seccompile, ['test', policy, join(dir, 'probe.cases.jsonl')], { encoding: 'utf8' });
    assert.is(replay.status, 0, replay.stdout + replay.stderr);

    const run = await jail([...inJail, '--report-denials', '--policy', policy, '--', probe, '1000']);
    assert.is(run.status, 0, run.stderr);
    assert.equal(run.stdout.split('\n').filter((l) => /^\w+: (?!ok$)/.test(l)), [], run.stdout);
    assert.match(run.stdout, /getpriority x1000: 0 failed/);
    assert.not.match(run.stderr, /denied/);

    const without = join(dir, 'without-getitimer.ts');
    const text = readFileSync(policy, 'utf8');
    assert.match(text, /'getitimer'/);
    writeFileSync(without, text.replace(/'getitimer', |, 'getitimer'|allow\('getitimer'\),/, ''));
    const cut = await jail([...inJail, '--report-denials', '--policy', without, '--', probe, '1000']);
    assert.match(cut.stdout, /^getitimer: Operation not permitted$/m);
    assert.match(cut.stdout, /^sched_get_priority_max: ok$/m);
    assert.match(cut.stderr, /denied getitimer\(\) -> EPERM x1 \[.*without-getitimer\.ts: default\]/);
  });

  const programs: [string, string[]][] = [
    ['sh', ['/bin/sh', '-c', 'for f in /etc/hostname /etc/os-release; do head -c 10 "$f" > /dev/null; done; echo sh ok']],
    ['python', [python, '-c', 'import json, socket; s = socket.socket(socket.AF_UNIX); print("python", json.dumps("ok"))']],
    ['node', [process.execPath, '-e', 'require("fs").readdirSync("/"); console.log("node ok")']],
  ];
  const merged = join(dir, 'merged.ts');
  for (const [name, argv] of programs) {
    test(`${name}: learned (merged into one policy), then runs under it with no denial`, async () => {
      // Twice, as a user would: a second run catches what timing left out of the first.
      for (let i = 0; i < 2; i++) {
        const r = await jail(['--learn', merged, '--', ...argv]);
        assert.is(r.status, 0, r.stderr);
        assert.match(r.stdout, /ok/);
      }
      const run = await jail(['--report-denials', '--policy', merged, '--', ...argv]);
      assert.is(run.status, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`${name} "?ok`));
      assert.not.match(run.stderr, /denied/);
    });
  }

  test('the merged policy names every command it learned from', () => {
    const text = readFileSync(merged, 'utf8');
    for (const [, argv] of programs) assert.ok(text.includes(`$ ${argv[0]}`), argv[0]);
    const names = new Set(cases(join(dir, 'merged.cases.jsonl')).map((c) => c.syscall));
    for (const s of ['execve', 'openat', 'socket', 'getdents64']) assert.ok(names.has(s), s);
  });

  const usage: [string[], RegExp][] = [
    [['--learn', join(dir, 'x.ts'), '--policy', 'net-off', '--', 'true'], /--learn and --policy exclude each other/],
    [['--learn', join(dir, 'x.ts'), '--no-seccomp', '--', 'true'], /--learn and --no-seccomp exclude each other/],
    [['--learn', join(dir, 'x.json'), '--', 'true'], /--learn .*x\.json: expected a \.ts file/],
  ];
  for (const [args, message] of usage) {
    test(`usage: jail ${args.slice(0, 3).join(' ')} ... is refused (125)`, async () => {
      const r = await jail(args);
      assert.is(r.status, 125);
      assert.match(r.stderr, message);
      assert.not.ok(existsSync(join(dir, 'x.ts')));
    });
  }
}

test.run();
