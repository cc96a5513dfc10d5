/**
 * The C library functions the launcher calls through koffi: declarations only, no logic.
 * Loaded lazily (koffi's native addon costs ~10 ms to load) and once per process.
 *
 * Every function returns the C return value; on -1 the caller reads `errno()` immediately
 * (koffi saves errno right after the call). Signatures follow the glibc prototypes in
 * <sched.h>, <sys/mount.h>, <sys/prctl.h>, <sys/resource.h>, <unistd.h>, <fcntl.h>,
 * <sys/ioctl.h>, <poll.h> and <sys/socket.h>. `syscall` is variadic: callers pass a type name before
 * each argument, as koffi requires for variadic calls.
 */
import koffi from 'koffi';

export interface Libc {
  unshare(flags: number): number;
  setns(fd: number, nstype: number): number;
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): number;
  umount2(target: string, flags: number): number;
  sethostname(name: string, len: number): number;
  prctl(option: number, arg2: number, arg3: number, arg4: number, arg5: number): number;
  /** capget/capset(2): a 8-byte header {version, pid} and two 12-byte {effective, permitted, inheritable} words. */
  capget(header: Uint8Array, data: Uint8Array): number;
  capset(header: Uint8Array, data: Uint8Array): number;
  /** prlimit(0, resource, new, old): `limit` is a 16-byte buffer of two u64 (cur, max). */
  prlimit(pid: number, resource: number, limit: Buffer | null, old: Buffer | null): number;
  /** fcntl(fd, cmd, int arg) */
  fcntl(fd: number, cmd: number, ...typedArgs: unknown[]): number;
  ioctl(fd: number, request: number, arg: Buffer): number;
  socket(domain: number, type: number, protocol: number): number;
  close(fd: number): number;
  dup2(oldfd: number, newfd: number): number;
  write(fd: number, buf: Buffer, len: number): number;
  recv(fd: number, buf: Buffer, len: number, flags: number): number;
  /** poll(fds, n, timeout): `fds` holds n struct pollfd { int fd; short events; short revents; }. */
  poll(fds: Buffer, n: number, timeoutMs: number): number;
  /** bind(fd, addr, len): `addr` holds the sockaddr's bytes (host order). */
  bind(fd: number, addr: Buffer, len: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, len: number): number;
  execve(path: string, argv: readonly (string | null)[], envp: readonly (string | null)[]): number;
  /** syscall(nr, type1, arg1, ...): the raw system call for what glibc does not wrap (seccomp). */
  syscall(nr: number, ...typedArgs: unknown[]): number | bigint;
  _exit(status: number): never;
}

/** The struct sock_fprog of <linux/filter.h>: { unsigned short len; struct sock_filter *filter; } */
export interface SockFprog {
  len: number;
  filter: Uint8Array;
}

/** The BPF_PROG_LOAD part of union bpf_attr (include/uapi/linux/bpf.h), as far as jail uses it. */
export interface BpfProgLoad {
  prog_type: number;
  insn_cnt: number;
  insns: Uint8Array;
  license: string;
  log_level: number;
  log_size: number;
  log_buf: null;
  kern_version: number;
  prog_flags: number;
  prog_name: string;
  prog_ifindex: number;
  expected_attach_type: number;
}

let cached: { libc: Libc; sockFprogPtr: unknown; bpfProgLoadPtr: unknown; bpfProgLoadSize: number } | undefined;

function load(): NonNullable<typeof cached> {
  if (cached) return cached;
  const lib = koffi.load('libc.so.6');
  const sockFprog = koffi.struct('seccompile_sock_fprog', { len: 'uint16_t', filter: 'void *' });
  const bpfProgLoad = koffi.struct('seccompile_bpf_prog_load', {
    prog_type: 'uint32_t',
    insn_cnt: 'uint32_t',
    insns: 'void *',
    license: 'const char *',
    log_level: 'uint32_t',
    log_size: 'uint32_t',
    log_buf: 'void *',
    kern_version: 'uint32_t',
    prog_flags: 'uint32_t',
    prog_name: koffi.array('char', 16),
    prog_ifindex: 'uint32_t',
    expected_attach_type: 'uint32_t',
  });
  const libc: Libc = {
    unshare: lib.func('int unshare(int flags)'),
    setns: lib.func('int setns(int fd, int nstype)'),
    mount: lib.func(
      'int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)',
    ),
    umount2: lib.func('int umount2(const char *target, int flags)'),
    sethostname: lib.func('int sethostname(const char *name, size_t len)'),
    prctl: lib.func('int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)'),
    prlimit: lib.func('int prlimit(int pid, int resource, const void *limit, void *old)'),
    capget: lib.func('int capget(void *header, void *data)'),
    capset: lib.func('int capset(void *header, const void *data)'),
    fcntl: lib.func('int fcntl(int fd, int cmd, ...)'),
    ioctl: lib.func('int ioctl(int fd, unsigned long request, void *arg)'),
    socket: lib.func('int socket(int domain, int type, int protocol)'),
    close: lib.func('int close(int fd)'),
    dup2: lib.func('int dup2(int oldfd, int newfd)'),
    write: lib.func('long write(int fd, const void *buf, size_t len)'),
    recv: lib.func('long recv(int fd, void *buf, size_t len, int flags)'),
    poll: lib.func('int poll(void *fds, unsigned long n, int timeout)'),
    bind: lib.func('int bind(int fd, const void *addr, uint32_t len)'),
    setsockopt: lib.func('int setsockopt(int fd, int level, int name, const void *value, uint32_t len)'),
    execve: lib.func('int execve(const char *path, const char **argv, const char **envp)'),
    syscall: lib.func('long syscall(long nr, ...)'),
    _exit: lib.func('void _exit(int status)') as unknown as (status: number) => never,
  };
  cached = { libc, sockFprogPtr: koffi.pointer(sockFprog), bpfProgLoadPtr: koffi.pointer(bpfProgLoad), bpfProgLoadSize: koffi.sizeof(bpfProgLoad) };
  return cached;
}

/** The libc functions (loads koffi and libc on first use). */
export function libc(): Libc {
  return load().libc;
}

/** errno as saved by koffi right after the last foreign call. */
export function errno(): number {
  return koffi.errno();
}

/** The koffi type of a BpfProgLoad pointer, and the struct's size, for bpf(BPF_PROG_LOAD) via `syscall`. */
export function bpfProgLoadPointer(): { type: unknown; size: number } {
  const c = load();
  return { type: c.bpfProgLoadPtr, size: c.bpfProgLoadSize };
}

/** The koffi type `struct sock_fprog *`, for passing a filter to seccomp(2) via `syscall`. */
export function sockFprogPointer(): unknown {
  return load().sockFprogPtr;
}
