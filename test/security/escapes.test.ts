// test-runner: serial
/**
 * jail as a security boundary: a root command tries each known way out, for real, in four
 * configurations (the default jail, --rootfs, --rootfs --cap-drop all, --policy net-off), and
 * every attempt must fail with the errno its defence gives. The attacker is test/security/
 * attack.c, a static binary that prints "ACTION: RESULT" lines. Where it helps, a positive
 * control shows the attack works without the defence, so a passing row means something.
 * Nothing here can harm the machine if a defence fails: sysctls are written with their current
 * values, device nodes are opened read-only and not read, mounts go on the jail's own paths.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasCgroups, hasNamespaces, isRoot, need } from '../support/capabilities.js';
import { busyboxRoot, hasBusybox } from '../support/container.js';
import { jail, jailCommand, MARKER, processesWith, sleep, tempDir, type Run } from '../support/jail.js';
import { probeUserNamespaces } from '../../src/launcher/userns.js';

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'attack.c');
const hasGccStatic = () =>
  spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status === 0 &&
  ['x86_64', 'aarch64'].some((a) => existsSync(`/usr/lib/${a}-linux-gnu/libc.a`));

const ok =
  need('root', isRoot(), 'jail escapes', 'the escapes are those of a root command') &&
  need('namespaces', hasNamespaces(), 'jail escapes', 'the kernel has no namespaces') &&
  need('cgroups', hasCgroups(), 'jail escapes', 'no cgroup hierarchy') &&
  need('tool', hasGccStatic(), 'jail escapes', 'gcc and a static libc (Debian packages gcc, libc6-dev) build the attacker') &&
  need('tool', hasBusybox(), 'jail escapes', 'no /bin/busybox (Debian package busybox-static)') &&
  need('tool', existsSync('/usr/bin/script'), 'jail escapes', 'script (util-linux) gives the attacker a terminal');

/** The run's "ACTION: RESULT" lines, in order. */
function results(r: Run): string[] {
  // (A "#" that TIOCSTI typed into a terminal is echoed in front of the line.)
  return r.stdout.replace(/\r/g, '').split('\n').map((l) => l.replace(/^#+/, '')).filter((l) => /^[a-z-]+: /.test(l));
}

/** Runs jail under a fresh pseudo-terminal (script(1)), as from an interactive shell. */
function jailOnTerminal(args: readonly string[], user?: 'nobody'): Promise<Run> {
  const [file, argv] = jailCommand(args, user);
  const quoted = [file, ...argv].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/script', ['-qec', quoted, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr, pid: child.pid! }));
    child.stdin.end();
  });
}

if (ok) {
  const work = tempDir();
  chmodSync(work, 0o755);
  const attackHost = join(work, 'attack');
  execFileSync('gcc', ['-static', '-O2', '-Wall', '-Werror', '-o', attackHost, SOURCE], { stdio: 'inherit' });
  const rootfs = busyboxRoot(join(work, 'r'));
  copyFileSync(attackHost, join(rootfs, 'bin', 'attack'));
  chmodSync(join(rootfs, 'bin', 'attack'), 0o755);
  // Mount points a rootless jail (nobody on the host) could not create in root's tree.
  for (const d of ['proc', 'dev', 'sys', 'tmp']) mkdirSync(join(rootfs, d), { recursive: true });
  // A registry outside /tmp and /run, so that only the jail's hiding of it keeps it out of reach.
  const state = `/var/tmp/seccompile-escapes-${process.pid}`;
  const rootEnv = { ...process.env, SECCOMPILE_STATE_DIR: state };
  const nobodyEnv = { ...process.env, SECCOMPILE_STATE_DIR: `${state}-nobody` };
  const env = rootEnv;
  const corePattern = readFileSync('/proc/sys/kernel/core_pattern', 'utf8').trim();
  const overcommit = readFileSync('/proc/sys/vm/overcommit_memory', 'utf8').trim();
  const keys = existsSync('/proc/keys');
  const kcore = existsSync('/proc/kcore');

  interface Config {
    readonly name: string;
    readonly flags: readonly string[];
    /** The attacker's path in the jail. */
    readonly attack: string;
    readonly rootfs: boolean;
    readonly capDropAll: boolean;
    readonly policy: 'default' | 'net-off';
    /** Run jail as nobody: a rootless jail, in a user namespace. */
    readonly user?: 'nobody';
  }
  const configs: Config[] = [
    { name: 'default jail', flags: ['--ro-bind', work], attack: attackHost, rootfs: false, capDropAll: false, policy: 'default' },
    { name: '--rootfs', flags: ['--rootfs', rootfs], attack: '/bin/attack', rootfs: true, capDropAll: false, policy: 'default' },
    { name: '--rootfs --cap-drop all', flags: ['--rootfs', rootfs, '--cap-drop', 'all'], attack: '/bin/attack', rootfs: true, capDropAll: true, policy: 'default' },
    { name: '--policy net-off', flags: ['--policy', 'net-off', '--ro-bind', work], attack: attackHost, rootfs: false, capDropAll: false, policy: 'net-off' },
  ];
  const userns = probeUserNamespaces();
  if (need('namespaces', userns.ok, 'rootless jail escapes', userns.why ?? '')) {
    configs.push(
      { name: 'rootless jail', flags: ['--ro-bind', work], attack: attackHost, rootfs: false, capDropAll: false, policy: 'default', user: 'nobody' },
      { name: 'rootless --rootfs', flags: ['--rootfs', rootfs], attack: '/bin/attack', rootfs: true, capDropAll: false, policy: 'default', user: 'nobody' },
    );
  }
  const DOCKER_CAPS = '00000000a80425fb';

  const attack = (c: Config, extra: readonly string[], actions: readonly string[][]) =>
    jail([...c.flags, ...extra, '--', c.attack, ...actions.flatMap((a, i) => (i === 0 ? a : ['+', ...a]))], { env: c.user ? nobodyEnv : rootEnv, asUser: c.user });

  for (const c of configs) {
    test(`${c.name}: /proc/sys and the kernel's files are read-only or masked`, async () => {
      const r = await attack(c, [], [
        ['write', '/proc/sys/kernel/core_pattern', corePattern],
        ['write', '/proc/sys/vm/overcommit_memory', overcommit],
        ...(kcore ? [['read', '/proc/kcore']] : []),
        ['create', '/sys/firmware/x'],
        ['create', '/sys/kernel/x'],
        ...(keys ? [['read', '/proc/keys']] : []),
      ]);
      assert.is(r.status, 0, r.stderr);
      assert.equal(results(r), [
        'write: EROFS', // a read-only bind of /proc/sys
        'write: EROFS',
        ...(kcore ? ['read: read 0'] : []), // /dev/null over it
        'create: EROFS', // an empty read-only tmpfs
        'create: EROFS', // sysfs is mounted read-only
        ...(keys ? ['read: read 0'] : []),
      ]);
    });

    test(`${c.name}: TIOCSTI cannot type into the terminal jail was started from`, async () => {
      const r = await jailOnTerminal([...c.flags, '--', c.attack, 'tiocsti'], c.user);
      assert.is(r.status, 0, r.stdout + r.stderr);
      // The default policy refuses it (EPERM); net-off allows ioctl, and the kernel then wants
      // CAP_SYS_ADMIN, which no default keeps, for a terminal that is not the command's own.
      assert.equal(results(r), ['tiocsti: EPERM']);
    });

    test(`${c.name}: device nodes it makes or finds do not open (nodev)`, async () => {
      const places = c.rootfs ? ['/n', '/tmp/n', '/dev/n', '/dev/shm/n'] : ['/tmp/n', '/dev/n', '/dev/shm/n', `${work}/rw/n`];
      mkdirSync(join(work, 'rw'), { recursive: true });
      if (c.user) chmodSync(join(work, 'rw'), 0o777);
      const r = await attack(c, c.rootfs ? [] : ['--rw', join(work, 'rw')], places.flatMap((p) => [
        ['mknod', p, 'c', '1', '3'],
        ['mknod', p, 'b', '7', '7'],
      ]));
      assert.is(r.status, 0, r.stderr);
      // A user namespace may not make device nodes at all; root's jail may, and they do not open.
      const want = c.capDropAll || c.user ? 'mknod: mknod EPERM' : 'mknod: open EACCES';
      // (A rootless jail's root is nobody on the host: root's --rootfs tree is not its to write.)
      const at = (p: string) => (c.user && p === '/n' ? 'mknod: mknod EACCES' : want);
      assert.equal(results(r), places.flatMap((p) => [at(p), at(p)]));
      if (!c.rootfs) {
        const host = await attack(c, [], [['mknod', '/n', 'c', '1', '3']]);
        assert.equal(results(host), ['mknod: mknod EROFS'], 'the host root is read-only');
      }
    });

    test(`${c.name}: with CAP_SYS_ADMIN and a mount of its own, the device allow-list still holds`, async () => {
      // --cap-add all and no policy: the command can mount a tmpfs without nodev and make nodes.
      const flags = c.rootfs ? ['--rootfs', rootfs] : ['--ro-bind', work];
      const run = (extra: string[]) =>
        jail([...flags, ...extra, '--cap-add', 'all', '--no-seccomp', '-q', '--', c.attack,
          'mknod-fresh', '/tmp', 'c', '1', '3', '+', 'mknod-fresh', '/tmp', 'b', '7', '7', '+', 'mknod-fresh', '/tmp', 'c', '1', '11'], { env, asUser: c.user });
      for (const extra of c.user ? [[]] : [[], ['--pids', '50']]) {
        const r = await run(extra);
        assert.is(r.status, 0, r.stderr);
        // null is on the list; a loop device and /dev/kmsg are not (v2: a BPF program; v1 with --pids:
        // devices.deny/allow). In a user namespace no device node can be made in the first place.
        const want = c.user ? ['mknod-fresh: mknod EPERM', 'mknod-fresh: mknod EPERM', 'mknod-fresh: mknod EPERM'] : ['mknod-fresh: opened', 'mknod-fresh: open EPERM', 'mknod-fresh: open EPERM'];
        assert.equal(results(r), want, `${extra.join(' ')}`);
      }
    });

    test(`${c.name}: SIGUSR1 to jail opens no inspector (--no-pid --share-net)`, async () => {
      const r = await attack(c, ['--no-pid', '--share-net'], [['inspector']]);
      assert.is(r.status, 0, r.stderr);
      // net-off refuses the AF_INET socket before anything can be tried.
      assert.equal(results(r), [c.policy === 'net-off' ? 'inspector: EAFNOSUPPORT' : 'inspector: ECONNREFUSED']);
    });

    test(`${c.name}: the command cannot leave its cgroup or raise its limits`, async () => {
      // Without root there is no cgroup to limit (and no limit to raise).
      const r = await attack(c, c.user ? [] : ['--pids', '10'], [
        ['cgroup'],
        ['join', '/sys/fs/cgroup/pids/cgroup.procs'],
        ['join', '/sys/fs/cgroup/cgroup.procs'],
        ['write', '/sys/fs/cgroup/pids/pids.max', 'max'],
        ['mount-cgroup', '/tmp'],
        ['fork', '30'],
      ]);
      assert.is(r.status, 0, r.stderr);
      const [cgroup, join1, join2, raise, mount, forked] = results(r);
      // A cgroup namespace rooted at the run's cgroup: every hierarchy shows "/".
      assert.ok(cgroup!.slice('cgroup: '.length).split(',').every((l) => l.endsWith(':/')), cgroup);
      assert.is(join1, 'join: ENOENT'); // a fresh sysfs has no cgroup mounts
      assert.is(join2, 'join: ENOENT');
      assert.is(raise, 'write: ENOENT');
      assert.is(mount, 'mount-cgroup: EPERM'); // no CAP_SYS_ADMIN (and the default policy)
      if (!c.user) assert.ok(Number(/^fork: (\d+) forked$/.exec(forked!)?.[1]) <= 9, `${forked} under --pids 10`);
    });

    test(`${c.name}: the registry of named jails is out of reach`, async () => {
      const name = `esc-${process.pid}`;
      const registry = c.user ? `${state}-nobody` : state;
      const r = await attack(c, ['--name', name], [
        ['read', `${registry}/${name}/jail.json`],
        ['create', `${registry}/x`],
      ]);
      assert.is(r.status, 0, r.stderr);
      // Hidden under an empty read-only tmpfs (or absent from a --rootfs tree).
      assert.equal(results(r), c.rootfs ? ['read: ENOENT', 'create: ENOENT'] : ['read: ENOENT', 'create: EROFS']);
    });

    test(`${c.name}: capabilities are Docker's set; handles, mounts and namespaces refused`, async () => {
      const r = await attack(c, [], [['caps'], ['handle', '/'], ['mount-tmpfs', '/tmp'], ['unshare-user'], ['vsock'], ['personality', '0x0040000']]);
      assert.is(r.status, 0, r.stderr);
      const userns = Number(readFileSync('/proc/sys/user/max_user_namespaces', 'utf8')) > 0;
      assert.equal(results(r), [
        `caps: ${c.capDropAll ? '0000000000000000' : DOCKER_CAPS}`,
        'handle: EPERM', // open_by_handle_at needs CAP_DAC_READ_SEARCH (and the default policy refuses it)
        'mount-tmpfs: EPERM',
        // The default policy refuses new namespaces; under net-off the kernel allows a user
        // namespace without privileges, whose capabilities reach nothing of the host's.
        c.policy === 'net-off' && userns ? 'unshare-user: unshared' : 'unshare-user: EPERM',
        'vsock: EAFNOSUPPORT', // refused by both policies
        // ADDR_NO_RANDOMIZE (setarch -R): not one of the personas Docker allows.
        c.policy === 'net-off' ? 'personality: set' : 'personality: EPERM',
      ]);
    });

    if (!c.rootfs) {
      test(`${c.name}: the host's files are read-only, /tmp and /run private, /sys the jail's`, async () => {
        const r = await attack(c, [], [['create', '/etc/jail-escape-test'], ['create', '/var/tmp/jail-escape-test'], ['list', '/run'], ['list', '/sys/class/net']]);
        assert.is(r.status, 0, r.stderr);
        assert.equal(results(r), ['create: EROFS', 'create: EROFS', 'list: ', 'list: lo']);
      });
    }
  }

  test('positive control: the attacks work where nothing stops them', async () => {
    // --cap-add all and no policy: TIOCSTI types into the terminal (a harmless "#").
    const sti = await jailOnTerminal(['--cap-add', 'all', '--no-seccomp', '-q', '--ro-bind', work, '--', attackHost, 'tiocsti']);
    assert.equal(results(sti), ['tiocsti: injected']);
    // Without the mount namespace, /proc/sys and /tmp are the host's: a sysctl takes a write
    // (its current value), and a device node made in /tmp opens (a null device, removed at once).
    const host = await jail(['--no-mount', '--no-seccomp', '--cap-add', 'all', '-q', '--', attackHost,
      'write', '/proc/sys/kernel/core_pattern', corePattern, '+', 'mknod', join(work, 'null'), 'c', '1', '3']);
    const hostNodev = /\bnodev\b/.test(execFileSync('findmnt', ['-no', 'OPTIONS', '-T', work], { encoding: 'utf8' }));
    assert.equal(results(host), ['write: written', hostNodev ? 'mknod: open EACCES' : 'mknod: opened']);
    // Node's own SIGUSR1 handler opens the inspector: what jail's listener prevents.
    const node = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { stdio: 'ignore' });
    await sleep(300);
    process.kill(node.pid!, 'SIGUSR1');
    let connected = false;
    for (let i = 0; i < 20 && !connected; i++) {
      await sleep(100);
      connected = await new Promise<boolean>((res) => {
        const s = connect(9229, '127.0.0.1', () => (s.end(), res(true)));
        s.on('error', () => res(false));
      });
    }
    node.kill('SIGKILL');
    assert.ok(connected, 'a plain node process opened its inspector on SIGUSR1');
  });

  test('jail stop/enter act only on what a jail run made (forged entries, bad names, an unsafe registry)', async () => {
    const name = `forge-${process.pid}`;
    const run = jail(['--name', name, '--no-seccomp', '--', 'sleep', '30'], { env });
    const entryFile = join(state, name, 'jail.json');
    for (let i = 0; i < 200 && !(existsSync(entryFile) && readFileSync(entryFile, 'utf8').includes('"running"')); i++) await sleep(50);
    const victim = spawn('sleep', [`40.${MARKER}9`], { stdio: 'ignore' });
    try {
      const entry = JSON.parse(readFileSync(entryFile, 'utf8'));
      const victimStart = readFileSync(`/proc/${victim.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19];
      const forgeries: Array<[string, object, RegExp]> = [
        ['a command outside the jail', { ...entry, command: { pid: victim.pid, starttime: victimStart } }, /is not a child of its supervisor/],
        ['the root cgroup', { ...entry, cgroup: { ...entry.cgroup, dirs: ['/sys/fs/cgroup/pids'], procsFiles: ['/sys/fs/cgroup/pids/cgroup.procs'] } }, /is not one its supervisor made/],
        ['a process as the supervisor', { ...entry, supervisor: { pid: victim.pid, starttime: victimStart } }, /is not a jail process/],
      ];
      for (const [what, forged, why] of forgeries) {
        writeFileSync(entryFile, JSON.stringify(forged));
        const stop = await jail(['stop', '--timeout', '0', name], { env });
        assert.is(stop.status, 125, `${what}: ${stop.stderr}`);
        assert.match(stop.stderr, why, what);
        const enter = await jail(['enter', name, '--', 'true'], { env });
        assert.is(enter.status, 125, `${what}: ${enter.stderr}`);
        assert.ok(processesWith(`40.${MARKER}9`).length === 1, `${what}: the victim survives`);
      }
      writeFileSync(entryFile, JSON.stringify(entry));
      for (const bad of ['../../x', '.', 'a/b', '']) {
        const stop = await jail(['stop', bad], { env });
        assert.is(stop.status, 125, bad);
        assert.match(stop.stderr, bad === '' ? /missing NAME|is not a jail name/ : /is not a jail name/, bad);
      }
      chmodSync(state, 0o777);
      const unsafe = await jail(['stop', name], { env });
      assert.is(unsafe.status, 125);
      assert.match(unsafe.stderr, /refusing to use the registry: .* is writable by others/);
      chmodSync(state, 0o700);
      assert.is((await jail(['stop', '--timeout', '1', name], { env })).status, 0, 'the genuine entry still works');
    } finally {
      victim.kill('SIGKILL');
      await run;
    }
  });

  test('--no-pid: nothing the command leaves behind outlives jail, even a SIGKILLed jail', async () => {
    const r = await jail(['--no-pid', '--no-seccomp', '--', '/bin/sh', '-c', `sleep 41.${MARKER}1 & sleep 41.${MARKER}2 & echo started`]);
    assert.is(r.stdout, 'started\n', r.stderr);
    assert.equal(processesWith(`41.${MARKER}`), [], 'orphans killed at the end');
    let jailPid = 0;
    const killed = await jail(['--no-pid', '--no-seccomp', '--', '/bin/sh', '-c', `sleep 42.${MARKER}1 & echo ready; exec sleep 42.${MARKER}2`], {
      onStdout: (out, pid) => {
        if (out.includes('ready') && jailPid === 0) {
          jailPid = pid;
          process.kill(pid, 'SIGKILL');
        }
      },
    });
    assert.is(killed.signal, 'SIGKILL');
    let left = processesWith(`42.${MARKER}`);
    for (let i = 0; i < 40 && left.length > 0; i++) {
      await sleep(50);
      left = processesWith(`42.${MARKER}`);
    }
    assert.equal(left, [], 'the watchdog killed the cgroup');
  });

  test.after(() => {
    rmSync(state, { recursive: true, force: true });
    rmSync(`${state}-nobody`, { recursive: true, force: true });
  });
}

test.run();
