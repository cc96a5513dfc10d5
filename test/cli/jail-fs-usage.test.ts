/**
 * jail's filesystem and --name options, in-process (no jail starts): bad paths and names are
 * exit 125 with one line before anything runs; good ones become an FsConfig in order. Without
 * root a filesystem option is that one line too: it needs a mount namespace, hence root.
 */
import { test } from 'uvu';
import { probeUserNamespaces } from '../../src/launcher/userns.js';
import * as assert from 'uvu/assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { memoryIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/jail/jail.js';
import { parseJailOptions } from '../../src/cli/jail/jail-options.js';
import { isRoot } from '../support/capabilities.js';
import { stateDir } from '../../src/launcher/registry/registry.js';
import { tempDir } from '../support/jail.js';

const dir = tempDir();
const root = join(dir, 'root');
mkdirSync(root);
const file = join(dir, 'file.txt');
writeFileSync(file, '');

/** What a user without root sees instead where user namespaces are off (any namespace option). */
const needsRoot = (_option: string) => /^jail: no namespaces without root here: /;

const isolated = isRoot() || probeUserNamespaces().ok;

const bad: Array<[string, string[], RegExp, RegExp?]> = [
  ['missing --rootfs', ['--rootfs', join(dir, 'nope'), '--', '/bin/true'], /^jail: --rootfs .*\/nope: no such directory/, needsRoot('--rootfs')],
  ['--rootfs on a file', ['--rootfs', file, '--', '/bin/true'], /^jail: --rootfs .*file\.txt: not a directory/, needsRoot('--rootfs')],
  ['--rootfs /', ['--rootfs', '/', '--', '/bin/true'], /^jail: --rootfs \/: that is the host's root/, needsRoot('--rootfs')],
  ['missing bind source', ['--rootfs', root, '--bind', `${dir}/nope:/x`, '--', '/bin/true'], /^jail: --bind .*nope:\/x: .*\/nope: no such file or directory/, needsRoot('--rootfs')],
  ['relative bind target', ['--rootfs', root, '--ro-bind', `${file}:etc/x`, '--', '/bin/true'], /^jail: --ro-bind .*: the target etc\/x must be an absolute path/, needsRoot('--rootfs')],
  ['empty bind part', ['--bind', ':/x', '--', '/bin/true'], /^jail: --bind :\/x: expected SRC:DST or SRC/, needsRoot('--bind')],
  ['bind target missing on the host', ['--bind', `${file}:/no/such/target`, '--', '/bin/true'], /^jail: --bind .*: \/no\/such\/target does not exist \(jail creates mount points only inside --rootfs\)/, needsRoot('--bind')],
  ['--tmpfs on a file without --rootfs', ['--tmpfs', file, '--', '/bin/true'], /^jail: --tmpfs .*: .*file\.txt is not a directory/, needsRoot('--tmpfs')],
  ['--rootfs with --no-mount', ['--no-mount', '--rootfs', root, '--', '/bin/true'], /^jail: --rootfs needs the mount namespace \(drop --no-mount\)/, needsRoot('--rootfs')],
  ['--ro with --no-mount', ['--no-mount', '--ro', '--', '/bin/true'], /^jail: --ro needs the mount namespace/, needsRoot('--ro')],
  ['a name with a slash', ['--name', 'a/b', '--', '/bin/true'], /^jail: --name "a\/b": a name is 1 to 64 of/],
  ['a name starting with a dot', ['--name', '.x', '--', '/bin/true'], /^jail: --name "\.x": a name/],
];
for (const [name, argv, message, withoutRoot] of bad) {
  test(`bad input: ${name} -> 125 and one line`, async () => {
    const io = memoryIO();
    assert.is(await main(argv, io), 125);
    // Without root jail has the same namespaces inside a user namespace, where it can make one.
    assert.match(io.err(), withoutRoot && !isolated ? withoutRoot : message);
    assert.is(io.err().split('\n').length, 2, io.err());
  });
}

test('mount options keep their command-line order; sources are absolute; --name is kept', () => {
  const o = parseJailOptions(
    ['--rootfs', root, '--tmpfs', '/a', '--bind', `${file}:/b/f`, '--ro-bind', dir, '--rw', dir, '--ro', '--name', 'web.1', 'sh'],
    { SECCOMPILE_STATE_DIR: '/run/state-for-test' },
    true,
  );
  assert.equal(o.spec.fs, {
    rootfs: root,
    mounts: [
      { kind: 'tmpfs', target: '/a' },
      { kind: 'bind', source: file, target: '/b/f', readOnly: false },
      { kind: 'bind', source: dir, target: dir, readOnly: true },
      { kind: 'bind', source: dir, target: dir, readOnly: false },
    ],
    readOnly: true,
    hidden: ['/run/state-for-test'],
  });
  assert.is(o.name, 'web.1');
  // Root without options: the host's root, read-only, with jail's registry hidden.
  assert.equal(parseJailOptions(['sh'], { SECCOMPILE_STATE_DIR: '/x' }, true).spec.fs, { rootfs: undefined, mounts: [], readOnly: false, hidden: ['/x'] });
  assert.is(parseJailOptions(['--no-mount', 'sh'], {}, true).spec.fs, undefined);
  assert.throws(() => parseJailOptions(['--rw', '/', 'sh'], {}, true), /cannot mount over the jail's root/);
});

test('without root: filesystem options need a mount namespace', () => {
  assert.throws(() => parseJailOptions(['--no-namespaces', '--rootfs', root, 'sh'], {}, false), /--rootfs needs a mount namespace \(drop --no-namespaces\)/);
});

test('jail ps/enter/stop --help, and unknown names', async () => {
  for (const sub of ['ps', 'enter', 'stop']) {
    const io = memoryIO();
    assert.is(await main([sub, '--help'], io), 0);
    assert.match(io.out(), new RegExp(`^Usage: jail ${sub}`));
    if (sub === 'ps') {
      assert.match(io.out(), /root, and for other users \$XDG_RUNTIME_DIR\/seccompile, or\s+\S+\/seccompile-UID without XDG_RUNTIME_DIR/);
      assert.ok(io.out().endsWith(`Here: ${stateDir()}\n`), io.out());
    }
  }
  const env = process.env.SECCOMPILE_STATE_DIR;
  process.env.SECCOMPILE_STATE_DIR = join(dir, 'state');
  try {
    for (const [sub, message] of [
      ['stop', /^jail stop: no running jail named nosuch \(see jail ps\)\n$/],
      ['enter', /^jail enter: no running jail named nosuch \(see jail ps\)\n$/],
    ] as const) {
      const io = memoryIO();
      assert.is(await main([sub, 'nosuch'], io), 125);
      assert.match(io.err(), message);
    }
    const io = memoryIO();
    assert.is(await main(['ps'], io), 0);
    assert.is(io.out(), 'NAME  PID  COMMAND  UPTIME  MEMORY  PIDS  POLICY\n');
  } finally {
    if (env === undefined) delete process.env.SECCOMPILE_STATE_DIR;
    else process.env.SECCOMPILE_STATE_DIR = env;
  }
});

test.run();
