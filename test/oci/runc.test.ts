// A real OCI runtime enforces our exported profile: Debian's runc runs a container (a rootfs
// built here from busybox-static) whose config.json carries the profile exported from a DSL
// policy; inside, the denied calls fail with the policy's errno while allowed work succeeds.
// runc's state lives in a temporary --root; the container and bundle are removed afterwards.
// The config does not mount /sys/fs/cgroup (these machines have a hybrid hierarchy).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allow, errno, killThread, policy } from '../../src/dsl/index.js';
import { normalize } from '../../src/ir/normalize.js';
import { exportOciProfile, ociProfileJson } from '../../src/oci/index.js';
import { isRoot, need } from '../support/capabilities.js';

const RUNC = '/usr/sbin/runc';
const BUSYBOX = '/bin/busybox';

const POLICY = policy({
  default: allow(),
  arch: ['x86_64', 'x86', 'x32'],
  badArch: killThread(),
  rules: [errno('EACCES').on('mkdir', 'mkdirat'), errno('EPERM').on('unshare', 'chroot')],
});

// Each line prints what happened; `busybox` applets report errno text on failure.
const SCRIPT = [
  'echo hello > /tmp/file && cat /tmp/file',
  'mkdir /tmp/dir 2>/dev/null; echo "mkdir=$?"',
  'mkdir /tmp/dir 2>&1 | sed "s/.*: //"',
  'chroot / /bin/true 2>&1 | sed "s/.*: //"; echo "chroot done"',
  'ls /tmp',
].join('\n');

function bundle(root: string, profile: unknown): string {
  const dir = join(root, 'bundle');
  const rootfs = join(dir, 'rootfs');
  for (const d of ['bin', 'tmp', 'proc', 'dev', 'sys']) mkdirSync(join(rootfs, d), { recursive: true });
  copyFileSync(BUSYBOX, join(rootfs, 'bin', 'busybox'));
  for (const applet of ['sh', 'echo', 'cat', 'mkdir', 'ls', 'sed', 'chroot', 'true', 'unshare']) symlinkSync('busybox', join(rootfs, 'bin', applet));
  const spec = spawnSync(RUNC, ['spec'], { cwd: dir, encoding: 'utf8' });
  assert.is(spec.status, 0, spec.stderr);
  const config = JSON.parse(spawnSync('cat', [join(dir, 'config.json')], { encoding: 'utf8' }).stdout) as {
    process: { args: string[]; terminal: boolean; env: string[] };
    root: { readonly: boolean };
    mounts: { destination: string }[];
    linux: Record<string, unknown>;
  };
  config.process.args = ['/bin/sh', '-c', SCRIPT];
  config.process.terminal = false;
  config.process.env = ['PATH=/bin'];
  config.root.readonly = false;
  config.mounts = config.mounts.filter((m) => m.destination !== '/sys/fs/cgroup');
  config.linux.seccomp = profile;
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  return dir;
}

if (
  need('root', isRoot(), 'runc enforces an exported profile', 'runc needs root') &&
  need('tool', existsSync(RUNC) && existsSync(BUSYBOX), 'runc enforces an exported profile', 'runc or busybox-static is not installed')
) {
  test('runc runs a container under our exported profile: denied calls fail, allowed work succeeds', () => {
    const ir = normalize(POLICY).ir!;
    const { profile } = exportOciProfile(ir);
    const root = mkdtempSync(join(tmpdir(), 'seccompile-runc-'));
    const id = `seccompile-oci-${process.pid}`;
    const state = join(root, 'state');
    try {
      const dir = bundle(root, JSON.parse(ociProfileJson(profile)));
      const r = spawnSync(RUNC, ['--root', state, 'run', '--bundle', dir, id], { encoding: 'utf8', timeout: 60_000 });
      assert.is(r.status, 0, `runc: ${r.stderr}`);
      assert.equal(r.stdout.trim().split('\n'), ['hello', 'mkdir=1', 'Permission denied', 'Operation not permitted', 'chroot done', 'file']);
    } finally {
      spawnSync(RUNC, ['--root', state, 'delete', '--force', id], { encoding: 'utf8', timeout: 30_000 });
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('without the profile the same script can mkdir (the denial is the profile, not the rootfs)', () => {
    const root = mkdtempSync(join(tmpdir(), 'seccompile-runc-'));
    const id = `seccompile-oci-plain-${process.pid}`;
    const state = join(root, 'state');
    try {
      const dir = bundle(root, undefined);
      const r = spawnSync(RUNC, ['--root', state, 'run', '--bundle', dir, id], { encoding: 'utf8', timeout: 60_000 });
      assert.is(r.status, 0, `runc: ${r.stderr}`);
      assert.equal(r.stdout.trim().split('\n').slice(0, 2), ['hello', 'mkdir=0']);
    } finally {
      spawnSync(RUNC, ['--root', state, 'delete', '--force', id], { encoding: 'utf8', timeout: 30_000 });
      rmSync(root, { recursive: true, force: true });
    }
  });
}

test.run();
