/**
 * jail's bad input, in-process (no jail is started): every mistake exits 125 with one line on
 * stderr, and --help prints the usage. Also the option parser's results, table-driven.
 */
import { test } from 'uvu';
import { probeUserNamespaces } from '../../src/launcher/userns.js';
import * as assert from 'uvu/assert';
import { memoryIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/jail/jail.js';
import { parseJailOptions, parseSize } from '../../src/cli/jail/jail-options.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SECCOMP_RET_USER_NOTIF } from '../../src/seccomp/abi.js';
import { isRoot } from '../support/capabilities.js';
import { filterFor } from '../support/jail.js';

// Filters whose decisions include SECCOMP_RET_USER_NOTIF: jail is no listener (mkdir would fail with ENOSYS).
const tmp = mkdtempSync(join(tmpdir(), 'jail-usage-'));
const notifyBpf = join(tmp, 'notify.bpf');
writeFileSync(notifyBpf, filterFor('mkdir', [], SECCOMP_RET_USER_NOTIF));
const notifyJson = join(tmp, 'notify.json');
const profile = { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/run/agent.sock', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_NOTIFY' }] };
writeFileSync(notifyJson, JSON.stringify(profile));
const listenerLine = 'jail cannot act as the listener, so those calls would fail with ENOSYS';

// The fourth column: what a user without root sees instead.
const isolated = isRoot() || probeUserNamespaces().ok;

const bad: Array<[string, string[], RegExp, RegExp?]> = [
  ['unknown policy', ['--policy', 'no-such-policy', '--', '/bin/true'], /^jail: policy: unknown policy "no-such-policy" \(/],
  ['policy path of an unknown kind', ['--policy', './x/y.txt', '--', '/bin/true'], /^jail: policy: \.\/x\/y\.txt: not a policy source: a policy file is \.ts, .*, an OCI profile \.json, a compiled filter \.bpf$/m],
  ['missing .bpf file', ['--policy', '/nonexistent.bpf', '--', '/bin/true'], /^jail: policy: cannot read \/nonexistent\.bpf: no such file/],
  ['missing OCI .json', ['--policy', 'nosuch.json', '--', '/bin/true'], /^jail: policy: nosuch\.json: no such policy file/],
  ['.bpf returning USER_NOTIF', ['--policy', notifyBpf, '--', '/bin/true'], new RegExp(`^jail: policy: .*notify\\.bpf uses user notification \\(SCMP_ACT_NOTIFY\\) for mkdir; ${listenerLine}`)],
  ['OCI profile with SCMP_ACT_NOTIFY', ['--policy', notifyJson, '--', '/bin/true'], new RegExp(`^jail: policy: .*notify\\.json uses user notification \\(SCMP_ACT_NOTIFY\\) for mkdir, mkdirat; ${listenerLine}`)],
  ['missing command', [], /^jail: missing command: jail \[options\] -- COMMAND/],
  ['missing command after --', ['--no-seccomp', '--'], /^jail: missing command/],
  ['--memory lots', ['--memory', 'lots', '--', '/bin/true'], /^jail: --memory lots: expected a size like 256M/],
  ['--memory 256 (bytes)', ['--memory', '256', '--', '/bin/true'], /^jail: --memory 256: 256 bytes is too little to run a command \(at least 4M\); for 256 MiB write 256M \(see jail --help\)$/m],
  ['--memory 512k', ['--memory', '512k', '--', '/bin/true'], /^jail: --memory 512k: 524288 bytes is too little to run a command \(at least 4M\) \(see jail --help\)$/m],
  ['--memory-swap 1M', ['--memory', '4M', '--memory-swap', '1M', '--', '/bin/true'], /^jail: --memory-swap 1M: 1048576 bytes is too little/],
  ['unknown option', ['--frobnicate', '--', '/bin/true'], /^jail: unknown or unexpected option: --frobnicate/],
  ['--pids 1.5', ['--pids', '1.5', '--', '/bin/true'], /^jail: --pids 1\.5: expected a positive integer/],
  ['--cpus 0', ['--cpus', '0', '--', '/bin/true'], /^jail: --cpus 0: expected a positive number/],
  ['--timeout -1', ['--timeout=-1', '--', '/bin/true'], /^jail: --timeout -1: expected a positive number/],
  ['--rlimit unknown', ['--rlimit', 'bogus=1', '--', '/bin/true'], /^jail: --rlimit bogus=1: unknown resource "bogus"/],
  ['--rlimit soft above hard', ['--rlimit', 'nofile=10:5', '--', '/bin/true'], /^jail: --rlimit nofile=10:5: soft limit above hard limit/],
  ['--memory-swap without --memory', ['--memory-swap', '1G', '--', '/bin/true'], /^jail: --memory-swap needs --memory/],
  ['--memory-swap below --memory', ['--memory', '1G', '--memory-swap', '512M', '--', '/bin/true'], /^jail: --memory-swap 512M: less than --memory/],
  ['--hostname with --no-uts', ['--no-uts', '--hostname', 'x', '--', '/bin/true'], /^jail: --hostname needs the uts namespace/, /^jail: no namespaces without root here: /],
  ['--policy with --no-seccomp', ['--policy', 'default', '--no-seccomp', '--', '/bin/true'], /^jail: --policy and --no-seccomp exclude each other/],
  ['--report-denials with --no-report-denials', ['--report-denials', '--no-report-denials', '--', '/bin/true'], /^jail: --report-denials and --no-report-denials exclude each other/],
  ['unknown capability', ['--cap-drop', 'NET_RAW,banana', '--', '/bin/true'], /^jail: --cap-drop NET_RAW,banana: unknown capability "banana"/],
  ['unknown user', ['--uid', 'no-such-user-xyz', '--', '/bin/true'], /^jail: --uid no-such-user-xyz: no such user in \/etc\/passwd/],
];
for (const [name, argv, message, withoutRoot] of bad) {
  test(`bad input: ${name} -> 125 and one line`, async () => {
    const io = memoryIO();
    const code = await main(argv, io);
    assert.is(code, 125);
    // Without root jail has the same namespaces inside a user namespace, where it can make one.
    assert.match(io.err(), withoutRoot && !isolated ? withoutRoot : message);
    assert.is(io.err().split('\n').length, 2, io.err());
    assert.is(io.out(), '');
  });
}

test('--help prints the usage and exits 0', async () => {
  const io = memoryIO();
  assert.is(await main(['--help'], io), 0);
  assert.match(io.out(), /^Usage: jail \[options\] \[--\] COMMAND/);
  assert.match(io.out(), /--memory SIZE/);
  assert.is(io.err(), '');
});

test('--version and -V print the package version and exit 0', async () => {
  const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  for (const flag of ['--version', '-V', '--quiet --version']) {
    const io = memoryIO();
    assert.is(await main(flag.split(' '), io), 0);
    assert.is(io.out(), `jail (seccompile) ${version}\n`);
  }
});

const USERNS = () => ({ ok: true, unshare: '/usr/bin/unshare', setpriv: '/usr/bin/setpriv' });
const NO_USERNS = () => ({ ok: false, why: 'user namespaces are off: user.max_user_namespaces is 0 (as root: sysctl -w user.max_user_namespaces=15000)' });

test('without root: every namespace inside a user namespace; no cgroup; only uid 0 exists there', () => {
  const o = parseJailOptions(['--', '/bin/true'], {}, false, USERNS);
  assert.equal(o.spec.namespaces, { pid: true, mount: true, net: true, uts: true, ipc: true, cgroup: true });
  assert.ok(o.spec.rootless?.ok);
  assert.is(o.spec.cgroup, false);
  assert.equal(o.warnings, []);
  assert.equal(o.spec.fs?.rootfs, undefined, "the host's root, read-only, as for root");
  assert.ok(o.spec.capabilities?.includes(0), "Docker's set, in the user namespace");
  assert.is(parseJailOptions(['--hostname', 'h', '--', 'x'], {}, false, USERNS).spec.hostname, 'h');
  const NOT_DELEGATED = () => ({ ok: false as const, why: "jail's cgroup /sys/fs/cgroup/user.slice is not delegated to you; start jail ..." });
  assert.throws(() => parseJailOptions(['--memory', '1G', '--', 'x'], {}, false, USERNS, NOT_DELEGATED), /^--memory needs a cgroup: jail's cgroup .* is not delegated to you/);
  const delegated = parseJailOptions(['--pids', '5', '--', 'x'], {}, false, USERNS, () => ({ ok: true as const, dir: '/sys/fs/cgroup/mine' }));
  assert.is(delegated.spec.delegatedCgroup, '/sys/fs/cgroup/mine');
  assert.is(delegated.spec.cgroup, true);
  assert.throws(() => parseJailOptions(['--uid', '1', '--', 'x'], {}, false, USERNS), /--uid: without root only 0 \(you\) exists/);
  assert.is(parseJailOptions(['--uid', '0', '--', 'x'], {}, false, USERNS).spec.uid, 0);
});

test('without user namespaces: one line naming the setting; --no-namespaces runs with the policy only, said on stderr', () => {
  assert.throws(() => parseJailOptions(['--', 'x'], {}, false, NO_USERNS), /^no namespaces without root here: user namespaces are off: user\.max_user_namespaces is 0 .*; --no-namespaces runs with the seccomp policy only$/);
  const o = parseJailOptions(['--no-namespaces', '--', 'x'], {}, false, NO_USERNS);
  assert.equal(o.spec.namespaces, { pid: false, mount: false, net: false, uts: false, ipc: false, cgroup: false });
  assert.is(o.spec.fs, undefined);
  assert.match(o.warnings.join('\n'), /^--no-namespaces: no namespaces, cgroup or filesystem isolation; only the seccomp policy applies$/);
  assert.throws(() => parseJailOptions(['--no-namespaces', '--hostname', 'h', '--', 'x'], {}, false, NO_USERNS), /--hostname needs a uts namespace \(drop --no-namespaces\)/);
  assert.throws(() => parseJailOptions(['--no-namespaces', '--require-isolation', 'x'], {}, false, NO_USERNS), /exclude each other/);
  assert.throws(() => parseJailOptions(['--no-namespaces', 'x'], {}, true), /--no-namespaces is for users without root/);
});

test('as root: every namespace on unless turned off; --share-net keeps the host network', () => {
  const o = parseJailOptions(['--no-ipc', '--share-net', 'ls', '-l'], {}, true);
  assert.equal(o.spec.namespaces, { pid: true, mount: true, net: false, uts: true, ipc: false, cgroup: true });
  assert.equal(o.spec.argv, ['ls', '-l']);
  assert.is(o.policy, 'default');
  assert.is(o.spec.hostname, 'jail');
  assert.is(o.spec.killAfter, 5);
});

test("capabilities: Docker's default set, adjusted by --cap-drop/--cap-add; --cap-add all warns", () => {
  const all = Array.from({ length: 41 }, (_, i) => i);
  const docker = [0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 27, 29, 31];
  const rows: Array<[string[], number[]]> = [
    [[], docker],
    [['--cap-add', 'SYS_ADMIN'], [...docker, 21].sort((a, b) => a - b)],
    [['--cap-drop', 'all'], []],
    [['--cap-drop', 'ALL', '--cap-add', 'net_bind_service,CAP_CHOWN'], [0, 10]],
    [['--cap-drop', 'sys_admin', '--cap-drop', 'CAP_NET_RAW'], docker.filter((n) => n !== 13)],
    [['--cap-drop', 'NET_RAW', '--cap-add', 'NET_RAW'], docker], // docker's rule: an addition wins
    [['--cap-add', 'all'], all],
    [['--cap-add', 'all', '--cap-drop', 'SYS_ADMIN'], all.filter((n) => n !== 21)],
  ];
  for (const [flags, kept] of rows) {
    const o = parseJailOptions([...flags, 'true'], {}, true);
    assert.equal(o.spec.capabilities, kept, flags.join(' '));
    assert.is(o.warnings.length, flags.includes('all') && flags[0] === '--cap-add' ? 1 : 0, flags.join(' '));
  }
  assert.is(parseJailOptions(['--no-namespaces', 'true'], {}, false).spec.capabilities, undefined);
  assert.throws(() => parseJailOptions(['--no-namespaces', '--cap-drop', 'all', 'true'], {}, false), /--cap-drop needs namespaces/);
});

test('environment: inherited, --clear-env, --env K=V and --env K (copied)', () => {
  const env = { A: '1', B: '2' };
  assert.equal(parseJailOptions(['--env', 'B=3', '--env', 'C=x=y', 'true'], env, true).spec.env, ['A=1', 'B=3', 'C=x=y']);
  assert.equal(parseJailOptions(['--clear-env', '--env', 'A', '--env', 'Z', 'true'], env, true).spec.env, ['A=1']);
});

test('--uid by name takes the primary group unless --gid says otherwise', () => {
  const o = parseJailOptions(['--uid', 'nobody', 'true'], {}, true);
  assert.is(o.spec.uid, 65534);
  assert.is(o.spec.gid, 65534);
  assert.is(parseJailOptions(['--uid', '1234', '--gid', '0', 'true'], {}, true).spec.gid, 0);
});

const sizes: Array<[string, number]> = [
  ['8388608', 8388608],
  ['4M', 4 * 1024 ** 2],
  ['4096k', 4096 * 1024],
  ['10M', 10 * 1024 ** 2],
  ['1.5g', 1.5 * 1024 ** 3],
  ['2GiB', 2 * 1024 ** 3],
  ['1T', 1024 ** 4],
];
for (const [text, bytes] of sizes) test(`parseSize ${text}`, () => assert.is(parseSize('--memory', text), bytes));

test.run();
