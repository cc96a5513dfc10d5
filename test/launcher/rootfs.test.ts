/**
 * The pure parts of the root filesystem setup: paths resolved inside a root (symlinks cannot
 * lead out), mountinfo parsing, the flags a read-only remount keeps.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { parseMountinfo, preservedFlags } from '../../src/launcher/filesystem/mountinfo.js';
import { treeUnder } from '../../src/launcher/filesystem/mount-tree.js';
import { resolveInRoot } from '../../src/launcher/filesystem/path-in-root.js';
import { MS_NOATIME, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY, MS_RELATIME, MS_STRICTATIME } from '../../src/launcher/linux.js';
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

test('parseMountinfo unescapes mount points', () => {
  const entries = parseMountinfo(MOUNTINFO);
  assert.is(entries.length, 5);
  assert.is(entries[2]!.mountPoint, '/tmp/my root');
  assert.is(entries[1]!.fstype, 'proc');
});

// The host's tree (1, 2, 3) with a copy of it stacked on "/" (10, 11, 12): the same mount
// points twice. treeUnder tells them apart by mount id, and names the copy's mounts relative to
// the path it was reached by ("." while the copy is the working directory).
const STACKED = `1 0 8:1 / / rw,relatime - ext4 /dev/sda1 rw
2 1 0:5 / /proc rw,nosuid - proc proc rw
3 1 0:6 / /dev rw,nosuid - devtmpfs udev rw
10 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw
11 10 0:5 / /proc rw,nosuid - proc proc rw
12 10 0:6 / /dev rw,nosuid,noexec - devtmpfs udev rw
13 12 0:7 / /dev/pts rw - devpts devpts rw
`;

test("treeUnder: a mount's tree by id, as paths under the path it was reached by", () => {
  const entries = parseMountinfo(STACKED);
  const copy = treeUnder(entries, 10, '.');
  assert.equal(copy.map((m) => m.target), ['.', './proc', './dev', './dev/pts']);
  assert.equal(copy[2]!.options, ['rw', 'nosuid', 'noexec']);
  // The copy is mounted on the host's root, so it belongs to that tree too; each path once.
  assert.equal(treeUnder(entries, 1, '/').map((m) => m.target), ['/', '/proc', '/dev', '/dev/pts']);
  assert.equal(treeUnder(entries, 12, '/x/dev').map((m) => m.target), ['/x/dev', '/x/dev/pts']);
  assert.equal(treeUnder(entries, 99, '/'), []);
});

test('preservedFlags repeats nosuid/nodev/noexec and the atime mode', () => {
  assert.is(preservedFlags(['rw', 'nosuid', 'nodev', 'noexec', 'relatime']), MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME);
  assert.is(preservedFlags(['ro', 'noatime']), MS_RDONLY | MS_NOATIME);
  assert.is(preservedFlags(['rw']), MS_STRICTATIME);
});

test.run();
