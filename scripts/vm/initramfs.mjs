// The VM's initramfs: a static busybox, the kernel modules that reach the host's root over 9p
// and stack an overlay on it (with their dependencies, from the kernel's own modules.dep, in
// load order), and an /init script. Written as a newc cpio archive (the format the kernel
// unpacks, Documentation/driver-api/early-userspace/buffer-format.rst), so building it needs
// neither cpio nor root: /dev/console is a header, not a mknod.
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** The modules /init loads; their dependencies come from modules.dep. */
export const ROOT_MODULES = ['virtio_pci', '9pnet_virtio', '9p', 'overlay'];

/**
 * The .ko files (paths under `moduleDir`) that load `wanted` and everything they need, each
 * after its dependencies. Throws naming a module the kernel does not have, or a compressed one
 * (busybox's insmod takes plain .ko files).
 */
export function moduleLoadOrder(moduleDir, wanted = ROOT_MODULES) {
  const depFile = `${moduleDir}/modules.dep`;
  if (!existsSync(depFile)) throw new Error(`${depFile} not found: is the kernel's package (linux-image-amd64) installed?`);
  const deps = new Map();
  const byName = new Map();
  for (const line of readFileSync(depFile, 'utf8').split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const path = line.slice(0, colon);
    deps.set(path, line.slice(colon + 1).trim().split(/\s+/).filter(Boolean));
    byName.set(basename(path).replace(/\.ko(\.\w+)?$/, '').replace(/-/g, '_'), path);
  }
  const order = [];
  const visit = (path) => {
    if (order.includes(path)) return;
    for (const dep of deps.get(path) ?? []) visit(dep);
    order.push(path);
  };
  for (const name of wanted) {
    const path = byName.get(name);
    // Built into the kernel (modules.builtin) is as good as loadable.
    if (path === undefined) {
      const builtin = existsSync(`${moduleDir}/modules.builtin`) ? readFileSync(`${moduleDir}/modules.builtin`, 'utf8') : '';
      if (new RegExp(`/${name.replace(/_/g, '[-_]')}\\.ko$`, 'm').test(builtin)) continue;
      throw new Error(`kernel module ${name} not found in ${moduleDir} (needed to mount the host's root in the VM)`);
    }
    visit(path);
  }
  const compressed = order.find((p) => !p.endsWith('.ko'));
  if (compressed) throw new Error(`${moduleDir}/${compressed} is compressed; the VM's busybox insmod needs plain .ko files`);
  return order;
}

/** A newc cpio archive of `entries` ({ name, mode, data?, target?, rdev? }), trailer included. */
export function cpioNewc(entries) {
  const parts = [];
  let ino = 1;
  const pad4 = (n) => Buffer.alloc((4 - (n % 4)) % 4);
  const push = (name, mode, data, rdev = [0, 0]) => {
    const fields = [ino++, mode, 0, 0, 1, 0, data.length, 0, 0, rdev[0], rdev[1], Buffer.byteLength(name) + 1, 0];
    const header = Buffer.from('070701' + fields.map((f) => f.toString(16).padStart(8, '0')).join(''), 'ascii');
    const nameBytes = Buffer.concat([Buffer.from(name), Buffer.alloc(1)]);
    parts.push(header, nameBytes, pad4(header.length + nameBytes.length), data, pad4(data.length));
  };
  const S_IFDIR = 0o040000, S_IFREG = 0o100000, S_IFLNK = 0o120000, S_IFCHR = 0o020000;
  for (const e of entries) {
    if (e.kind === 'dir') push(e.name, S_IFDIR | 0o755, Buffer.alloc(0));
    else if (e.kind === 'file') push(e.name, S_IFREG | (e.mode ?? 0o644), e.data);
    else if (e.kind === 'symlink') push(e.name, S_IFLNK | 0o777, Buffer.from(e.target));
    else if (e.kind === 'chardev') push(e.name, S_IFCHR | 0o600, Buffer.alloc(0), e.rdev);
    else throw new Error(`cpio entry ${e.name}: unknown kind ${e.kind}`);
  }
  push('TRAILER!!!', 0, Buffer.alloc(0));
  return Buffer.concat(parts);
}

/**
 * The initramfs: /bin/busybox (must be static: nothing else is in the archive), the modules
 * under /modules in load order (their names listed in /modules/order), and `init` as /init.
 */
export function buildInitramfs({ busybox, moduleDir, init }) {
  const order = moduleLoadOrder(moduleDir);
  const entries = [
    { kind: 'dir', name: 'bin' },
    { kind: 'dir', name: 'dev' },
    { kind: 'chardev', name: 'dev/console', rdev: [5, 1] },
    { kind: 'dir', name: 'proc' },
    { kind: 'dir', name: 'sys' },
    { kind: 'dir', name: 'modules' },
    { kind: 'file', name: 'bin/busybox', mode: 0o755, data: readFileSync(busybox) },
    { kind: 'symlink', name: 'bin/sh', target: 'busybox' },
    ...order.map((p) => ({ kind: 'file', name: `modules/${basename(p)}`, data: readFileSync(`${moduleDir}/${p}`) })),
    { kind: 'file', name: 'modules/order', data: Buffer.from(order.map((p) => basename(p)).join('\n') + '\n') },
    { kind: 'file', name: 'init', mode: 0o755, data: Buffer.from(init) },
  ];
  return { archive: cpioNewc(entries), modules: order.map((p) => basename(p, '.ko')) };
}
