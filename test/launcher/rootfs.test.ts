/**
 * The pure parts of the root filesystem setup: paths resolved inside a root (symlinks cannot
 * lead out), mountinfo parsing, the flags a read-only remount keeps; and the registry's
 * claim/clash/sweep rules with fake supervisors (no jail starts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, symlinkSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { mountsUnder, parseMountinfo, preservedFlags } from '../../src/launcher/mountinfo.js';
import { resolveInRoot } from '../../src/launcher/path-in-root.js';
import { MS_NOATIME, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY, MS_RELATIME, MS_STRICTATIME } from '../../src/launcher/linux.js';
import { claimName, listJails, selfId, sweepStale, type JailEntry } from '../../src/launcher/registry.js';
import { tempDir } from '../support/jail.js';

const root = join(tempDir(), 'root');
mkdirSync(join(root, 'usr', 'lib'), { recursive: true });
symlinkSync('/usr/lib', join(root, 'lib')); // absolute: must stay inside root
symlinkSync('../../../../../..', join(root, 'up')); // climbs: stops at root
symlinkSync('/var/run', join(root, 'sys')); // absolute to a missing path: root/var/run
symlinkSync('/etc', join(root, 'etc')); // to itself, as in a chroot: a loop
symlinkSync('loop2', join(root, 'loop1'));
symlinkSync('loop1', join(root, 'loop2'));

const cases: Array<[string, string]> = [
  ['/', root],
  ['/usr/lib/x', `${root}/usr/lib/x`],
  ['/lib/x', `${root}/usr/lib/x`],
  ['/up/usr', `${root}/usr`],
  ['/../../usr', `${root}/usr`],
  ['/sys/x', `${root}/var/run/x`],
  ['/new/dir/../file', `${root}/new/file`],
  ['/./usr//lib/', `${root}/usr/lib`],
];
for (const [path, expected] of cases) {
  test(`resolveInRoot ${path}`, () => assert.is(resolveInRoot(root, path), expected));
}
test('resolveInRoot: a symlink loop is an error', () => {
  assert.throws(() => resolveInRoot(root, '/loop1/x'), /too many symbolic links/);
  assert.throws(() => resolveInRoot(root, '/etc/passwd'), /too many symbolic links/);
});

const MOUNTINFO = `22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda rw
30 22 0:5 / /proc rw,nosuid,nodev,noexec,relatime shared:2 - proc proc rw
41 22 0:40 / /tmp/my\\040root rw,nosuid,nodev shared:3 - tmpfs tmpfs rw
42 41 0:41 / /tmp/my\\040root/dev ro,noexec,noatime - tmpfs tmpfs rw
43 22 0:42 / /tmp/my\\040rootx rw - tmpfs tmpfs rw
`;

test('parseMountinfo unescapes mount points; mountsUnder is by path component', () => {
  const entries = parseMountinfo(MOUNTINFO);
  assert.is(entries.length, 5);
  assert.is(entries[2]!.mountPoint, '/tmp/my root');
  assert.is(entries[1]!.fstype, 'proc');
  assert.equal(mountsUnder(entries, '/tmp/my root').map((e) => e.id), [41, 42]);
  assert.equal(mountsUnder(entries, '/').length, 5);
});

test('preservedFlags repeats nosuid/nodev/noexec and the atime mode', () => {
  assert.is(preservedFlags(['rw', 'nosuid', 'nodev', 'noexec', 'relatime']), MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME);
  assert.is(preservedFlags(['ro', 'noatime']), MS_RDONLY | MS_NOATIME);
  assert.is(preservedFlags(['rw']), MS_STRICTATIME);
});

const entry = (name: string, supervisor = selfId()): JailEntry => ({
  name,
  state: 'starting',
  supervisor,
  namespaces: {},
  argv: ['sleep', '1'],
  started: Date.now(),
  limits: {},
  hostname: 'jail',
  rlimits: [],
});

test('registry: a live name clashes; a released name can be claimed again', () => {
  const state = join(tempDir(), 'state');
  const claim = claimName(entry('web'), new Uint8Array(8), state);
  assert.throws(() => claimName(entry('web'), undefined, state), /a jail named web is already running/);
  assert.equal(listJails(state).map((e) => e.name), ['web']);
  claim.update({ state: 'running' });
  assert.is(listJails(state)[0]!.state, 'running');
  claim.release();
  assert.equal(listJails(state), []);
  claimName(entry('web'), undefined, state).release();
  assert.equal(readdirSync(state), []);
});

test('registry: an entry whose supervisor is gone is swept, and its name is free', () => {
  const state = join(tempDir(), 'state');
  // pid 1 with another start time: a supervisor that is gone (a reused pid).
  claimName(entry('old', { pid: 1, starttime: '1' }), undefined, state);
  assert.ok(existsSync(join(state, 'old')));
  assert.equal(listJails(state), []);
  assert.equal(sweepStale(state), ['old']);
  assert.equal(readdirSync(state), []);
  claimName(entry('dead', { pid: 1, starttime: '1' }), undefined, state);
  claimName(entry('dead'), undefined, state).release(); // a new claim sweeps the stale one
  claimName(entry('old'), undefined, state).release();
});

test.run();
