/**
 * jail --rootfs with a busybox tree built here: `/` is that tree, the host's files
 * are unreachable, /proc, /dev and /tmp are the jail's own, --bind/--ro-bind/--tmpfs/--ro do
 * what they say, and no mount of the jail is visible on the host, even while it runs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { hasNamespaces, isRoot, need } from '../support/capabilities.js';
import { busyboxRoot, hasBusybox } from '../support/container.js';
import { jail, tempDir } from '../support/jail.js';

const ok =
  need('root', isRoot(), 'jail --rootfs', 'mount namespaces need root') &&
  need('namespaces', hasNamespaces(), 'jail --rootfs', 'the kernel has no namespaces') &&
  need('tool', hasBusybox(), 'jail --rootfs', 'no /bin/busybox (Debian package busybox-static)');

if (ok) {
  const dir = tempDir();
  const root = busyboxRoot(dir);
  const outside = join(dir, 'outside.txt');
  writeFileSync(outside, 'host secret\n');
  const roFile = join(dir, 'ro.txt');
  writeFileSync(roFile, 'original\n');
  const rwDir = join(dir, 'shared');
  mkdirSync(rwDir);

  test('/ is the busybox tree; host paths are unreachable; /proc is the jail pid namespace', async () => {
    const r = await jail([
      '--rootfs', root, '--',
      '/bin/sh', '-c',
      `ls /; echo ---; cat ${outside} 2>&1; ls /etc 2>&1; ls ${dir} 2>&1; echo ---; echo $$; ls /proc | grep -c '^[0-9]'; ls -l /proc/1/root`,
    ]);
    assert.is(r.status, 0, r.stderr);
    const [ls, unreachable, proc] = r.stdout.split('---\n');
    assert.equal(ls!.trim().split('\n'), ['bin', 'dev', 'proc', 'sys', 'tmp']);
    assert.match(unreachable!, /can't open '.*outside\.txt': No such file or directory/);
    assert.match(unreachable!, /\/etc: No such file or directory/);
    assert.not.match(unreachable!, /host secret/);
    const [pid, count] = proc!.trim().split('\n');
    assert.is(pid, '1');
    assert.ok(Number(count) <= 3, `${count} processes visible`);
    // The tree on the host: only the mount points jail created.
    assert.equal(readdirSync(root).sort(), ['bin', 'dev', 'proc', 'sys', 'tmp']);
  });

  test('/dev is minimal and works; /tmp and /dev/shm are tmpfs; /dev/pts is a new devpts', async () => {
    const r = await jail([
      '--rootfs', root, '--',
      '/bin/sh', '-c',
      'ls /dev | tr "\\n" " "; echo; echo hi > /dev/null && echo null ok; head -c 5 /dev/zero | wc -c; head -c 8 /dev/urandom | wc -c; ' +
        "grep -E ' /(tmp|dev/shm|dev/pts|dev) ' /proc/self/mountinfo | sed 's/.* - //' | cut -d' ' -f1 | tr '\\n' ' '; echo; " +
        'echo x > /tmp/f && cat /tmp/f',
    ]);
    assert.is(r.status, 0, r.stderr);
    const [devs, nul, zero, random, types, tmp] = r.stdout.trim().split('\n');
    assert.equal(devs!.trim().split(' ').sort(), ['fd', 'full', 'null', 'ptmx', 'pts', 'random', 'shm', 'stderr', 'stdin', 'stdout', 'tty', 'urandom', 'zero']);
    assert.is(nul, 'null ok');
    assert.is(zero!.trim(), '5');
    assert.is(random!.trim(), '8');
    assert.equal(types!.trim().split(' '), ['tmpfs', 'devpts', 'tmpfs', 'tmpfs']);
    assert.is(tmp, 'x');
  });

  test('--ro-bind cannot be written, --bind can, --tmpfs is empty, --ro makes / read-only but not /tmp', async () => {
    const r = await jail([
      '--rootfs', root,
      '--ro-bind', `${roFile}:/data/ro.txt`,
      '--bind', `${rwDir}:/shared`,
      '--tmpfs', '/scratch',
      '--ro', '--',
      '/bin/sh', '-c',
      'cat /data/ro.txt; echo changed > /data/ro.txt; echo written > /shared/w.txt; ls -A /scratch | wc -l; touch /scratch/ok && echo scratch ok; ' +
        'touch /newfile; touch /tmp/ok && echo tmp ok',
    ]);
    assert.is(r.status, 0, r.stderr); // the last command (touch /tmp/ok) succeeded
    assert.match(r.stdout, /^original\n0\nscratch ok\ntmp ok\n$/);
    assert.match(r.stderr, /can't create \/data\/ro\.txt: Read-only file system/);
    assert.match(r.stderr, /touch: \/newfile: Read-only file system/);
    assert.is(readFileSync(roFile, 'utf8'), 'original\n');
    assert.is(readFileSync(join(rwDir, 'w.txt'), 'utf8'), 'written\n');
  });

  test('without --rootfs: --ro and --tmpfs apply to the host tree in the jail only', async () => {
    const r = await jail(['--no-seccomp', '--ro', '--tmpfs', '/mnt', '--ro-bind', `${roFile}:${roFile}`, '--', '/bin/sh', '-c',
      `touch /jail-ro-test 2>&1; echo changed > ${roFile}; touch /mnt/y && ls /mnt`]);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, "touch: cannot touch '/jail-ro-test': Read-only file system\ny\n");
    assert.match(r.stderr, /Read-only file system/);
    assert.is(readFileSync(roFile, 'utf8'), 'original\n');
    assert.not.ok(readdirSync('/').includes('jail-ro-test'));
    assert.not.ok(readdirSync('/mnt').includes('y'));
    // The host's root is still writable.
    writeFileSync(join(dir, 'host-rw'), 'ok');
  });

  test("a jail's mounts never appear in the host's mount table, even while it runs", async () => {
    let seenOnHost: boolean | undefined;
    let inside = '';
    const r = await jail(['--rootfs', root, '--bind', `${rwDir}:/shared`, '--', '/bin/sh', '-c', 'grep -c shared /proc/self/mountinfo; echo ready; sleep 1'], {
      onStdout: (out) => {
        if (seenOnHost === undefined && out.includes('ready')) {
          inside = out;
          const host = readFileSync('/proc/self/mountinfo', 'utf8');
          seenOnHost = host.includes(root) || host.includes('/shared ');
        }
      },
    });
    assert.is(r.status, 0, r.stderr);
    assert.is(inside.split('\n')[0], '1');
    assert.is(seenOnHost, false);
  });
}

test.run();
