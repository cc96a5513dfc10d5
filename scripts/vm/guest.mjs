// The two shell scripts the VM runs. /init (busybox, in the initramfs) loads the modules, mounts
// the host's root (9p, read-only) under an overlay whose upper layer is a tmpfs, so the guest
// may write anywhere and the host sees none of it, and makes that overlay the root with
// switch_root (not chroot: a chrooted process may not create user namespaces, which bwrap does).
// There the second script, PID 1 from then on (/bin/sh of the host's root), mounts /proc, /sys,
// /dev and a cgroup v2 hierarchy alone on /sys/fs/cgroup with memory, pids and cpu delegated,
// runs the tests and powers off with the host's static busybox. Both print marker lines the
// host reads from the serial console: UP when the tests start, EXIT <status> at the end.
// Anything that goes wrong ends in a power-off, or in PID 1 exiting, a kernel panic, which
// `panic=-1` with QEMU's -no-reboot also turns into an exit; never in a shell waiting for input.

export const MARK = 'seccompile-vm:';
export const UP = `${MARK} UP`;
export const EXIT = `${MARK} EXIT`;

const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

/** /init of the initramfs; `guestScript` is a host path, seen at the same path in the guest. */
export function initScript(guestScript) {
  return `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
fail() { echo "${MARK} FAILED: $*"; echo "${EXIT} 125"; poweroff -f; sleep 5; exit 1; }
mount -t proc proc /proc && mount -t sysfs sysfs /sys && mount -t devtmpfs devtmpfs /dev || fail "mount /proc /sys /dev"
while read -r m; do insmod "/modules/$m" || fail "insmod $m"; done < /modules/order
mkdir -p /host /rw /newroot
# cache=loose: the guest keeps what it read in its page cache (the export is read-only and the
# host's files do not change during a run); with the default cache=none each start of Node
# reads its binary and modules over 9p again, about 4x slower.
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose host /host || fail "mount the host's root (9p)"
mount -t tmpfs -o mode=755 tmpfs /rw && mkdir -p /rw/upper /rw/work || fail "mount the overlay's tmpfs"
mount -t overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work overlay /newroot || fail "mount the overlay"
[ -f /newroot${quote(guestScript)} ] || fail "${guestScript} not visible in the guest"
umount /proc /sys /dev
exec switch_root /newroot /bin/sh ${quote(guestScript)}
`;
}

/**
 * The script PID 1 runs on the overlay root: the mounts, then `node scripts/test.mjs FILES` in
 * `project` with `env`, then a power-off through `busybox` (static, so it needs no library).
 */
export function guestScript({ project, node, busybox, files, env }) {
  const exports = Object.entries(env).map(([k, v]) => `export ${k}=${quote(v)}`).join('\n');
  return `set -u
halt() { echo "${EXIT} $1"; sync; ${quote(busybox)} poweroff -f; sleep 5; exit "$1"; }
fail() { echo "${MARK} FAILED: $*"; halt 125; }
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TMPDIR=/tmp
mount -t proc proc /proc && mount -t sysfs sysfs /sys && mount -t devtmpfs devtmpfs /dev || fail "mount /proc /sys /dev"
mkdir -p /dev/pts /dev/shm /run && mount -t devpts devpts /dev/pts && mount -t tmpfs tmpfs /dev/shm && mount -t tmpfs tmpfs /run || fail "mount /dev/pts /dev/shm /run"
mount -t cgroup2 cgroup2 /sys/fs/cgroup || fail "mount cgroup2 on /sys/fs/cgroup"
echo '+memory +pids +cpu' > /sys/fs/cgroup/cgroup.subtree_control || fail "enable memory, pids and cpu in cgroup.subtree_control"
ip link set lo up 2>/dev/null || true
hostname seccompile-vm
${exports}
cd ${quote(project)} || fail "cd ${project}"
echo "${UP} kernel $(uname -r), cgroup v2 controllers: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
${quote(node)} scripts/test.mjs ${files.map(quote).join(' ')}
halt $?
`;
}
