/**
 * Syscall groups: named sets of syscalls by purpose, to write policies by intent
 * (`allow(...group('@basic-io', '@timer'))`) instead of by listing every name. Modelled on
 * systemd's SystemCallFilter= groups (src/shared/seccomp-util.c, `syscall_filter_sets`), with
 * the same names and the same intent, written here as data: each group lists syscall names and
 * other groups ('@system-service' includes '@basic-io', ...).
 *
 * Invariants (test/syscalls/groups.test.ts): every member is a syscall on at least one of our
 * arches or another group, the includes have no cycle, every group resolves to at least one name.
 * A group is arch-independent: a member absent on an arch (`open` on aarch64, `socketcall` on
 * x86_64) is simply not there when the policy is lowered for that arch (see `groupSyscallsOn`).
 */
import type { SyscallName } from './tables.js';

/** Every group name, in the order `seccompile syscalls --groups` lists them. */
export const GROUP_NAMES = [
  '@default',
  '@aio',
  '@basic-io',
  '@chown',
  '@clock',
  '@cpu-emulation',
  '@debug',
  '@file-system',
  '@io-event',
  '@ipc',
  '@keyring',
  '@memlock',
  '@module',
  '@mount',
  '@network-io',
  '@obsolete',
  '@pkey',
  '@privileged',
  '@process',
  '@raw-io',
  '@reboot',
  '@resources',
  '@sandbox',
  '@setuid',
  '@signal',
  '@swap',
  '@sync',
  '@system-service',
  '@timer',
] as const;
export type GroupName = (typeof GROUP_NAMES)[number];

/** A group: what it is for, and its members (syscall names, or groups included whole). */
export interface SyscallGroup {
  readonly description: string;
  readonly members: readonly (SyscallName | GroupName)[];
}

export const SYSCALL_GROUPS: Readonly<Record<GroupName, SyscallGroup>> = {
  // What nearly every program needs just to start and exit: the calls systemd never filters
  // (its @default): memory mapping, futexes, thread setup, identity and time getters.
  '@default': {
    description: 'what every process needs: exit, mmap, futex, thread setup, id and time getters',
    members: [
      'arch_prctl', 'brk', 'cacheflush', 'clock_getres', 'clock_getres_time64', 'clock_gettime', 'clock_gettime64',
      'clock_nanosleep', 'clock_nanosleep_time64', 'execve', 'exit', 'exit_group', 'futex', 'futex_time64', 'futex_waitv',
      'get_robust_list', 'get_thread_area', 'getegid', 'getegid32', 'geteuid', 'geteuid32', 'getgid', 'getgid32',
      'getgroups', 'getgroups32', 'getpgid', 'getpgrp', 'getpid', 'getppid', 'getrandom', 'getresgid', 'getresgid32',
      'getresuid', 'getresuid32', 'getrlimit', 'getsid', 'gettid', 'gettimeofday', 'getuid', 'getuid32', 'membarrier',
      'mmap', 'mmap2', 'mprotect', 'munmap', 'nanosleep', 'pause', 'prlimit64', 'restart_syscall', 'riscv_flush_icache',
      'rseq', 'rt_sigreturn', 'sched_getaffinity', 'sched_yield', 'set_robust_list', 'set_thread_area',
      'set_tid_address', 'set_tls', 'sigreturn', 'time', 'ugetrlimit',
    ],
  },
  // Asynchronous I/O: the POSIX-AIO kernel interface and io_uring (which can also open files
  // and sockets without the syscalls for them: see the io-uring-bypass lint).
  '@aio': {
    description: 'asynchronous I/O: io_setup/io_submit and io_uring',
    members: [
      'io_cancel', 'io_destroy', 'io_getevents', 'io_pgetevents', 'io_pgetevents_time64', 'io_setup', 'io_submit',
      'io_uring_enter', 'io_uring_register', 'io_uring_setup',
    ],
  },
  // Reading, writing and seeking on descriptors already open; closing and duplicating them.
  '@basic-io': {
    description: 'read, write, seek, close and dup on open descriptors',
    members: [
      '_llseek', 'close', 'close_range', 'dup', 'dup2', 'dup3', 'lseek', 'pread64', 'preadv', 'preadv2', 'pwrite64',
      'pwritev', 'pwritev2', 'read', 'readv', 'write', 'writev',
    ],
  },
  // Changing the owner of a file.
  '@chown': {
    description: 'change file ownership',
    members: ['chown', 'chown32', 'fchown', 'fchown32', 'fchownat', 'lchown', 'lchown32'],
  },
  // Setting the system clock (reading it is in @default).
  '@clock': {
    description: 'set the system clock',
    members: ['adjtimex', 'clock_adjtime', 'clock_adjtime64', 'clock_settime', 'clock_settime64', 'settimeofday', 'stime'],
  },
  // Emulating other CPU modes: x86 LDT and vm86, ppc endianness switch and subpage protection.
  '@cpu-emulation': {
    description: 'CPU emulation: x86 LDT and vm86 mode, ppc endian switch',
    members: ['modify_ldt', 'subpage_prot', 'switch_endian', 'vm86', 'vm86old'],
  },
  // Debugging, tracing and profiling other processes or the kernel.
  '@debug': {
    description: 'debug, trace and profile: ptrace, perf_event_open, pidfd_getfd',
    members: ['lookup_dcookie', 'perf_event_open', 'pidfd_getfd', 'ptrace', 'rtas', 's390_runtime_instr', 'sys_debug_setcontext'],
  },
  // Everything that names files by path or works on the file tree: open, stat, directories,
  // links, permissions, extended attributes, inotify (mmap too, as systemd has it, since
  // programs map the files they open).
  '@file-system': {
    description: 'files and directories: open, stat, mkdir, rename, link, chmod, xattrs, inotify',
    members: [
      'access', 'chdir', 'chmod', 'close', 'creat', 'faccessat', 'faccessat2', 'fallocate', 'fchdir', 'fchmod', 'fchmodat',
      'fchmodat2', 'fcntl', 'fcntl64', 'fgetxattr', 'flistxattr', 'fremovexattr', 'fsetxattr', 'fstat', 'fstat64',
      'fstatat64', 'fstatfs', 'fstatfs64', 'ftruncate', 'ftruncate64', 'futimesat', 'getcwd', 'getdents', 'getdents64',
      'getxattr', 'inotify_add_watch', 'inotify_init', 'inotify_init1', 'inotify_rm_watch', 'lgetxattr', 'link',
      'linkat', 'listxattr', 'llistxattr', 'lremovexattr', 'lsetxattr', 'lstat', 'lstat64', 'mkdir', 'mkdirat', 'mknod',
      'mknodat', 'mmap', 'mmap2', 'munmap', 'newfstatat', 'oldfstat', 'oldlstat', 'oldstat', 'open', 'openat', 'openat2',
      'readlink', 'readlinkat', 'removexattr', 'rename', 'renameat', 'renameat2', 'rmdir', 'setxattr', 'stat', 'stat64',
      'statfs', 'statfs64', 'statx', 'symlink', 'symlinkat', 'truncate', 'truncate64', 'unlink', 'unlinkat', 'utime',
      'utimensat', 'utimensat_time64', 'utimes',
    ],
  },
  // Waiting for events on descriptors: select, poll, epoll, eventfd.
  '@io-event': {
    description: 'wait for events: select, poll, epoll, eventfd',
    members: [
      '_newselect', 'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_ctl_old', 'epoll_pwait', 'epoll_pwait2',
      'epoll_wait', 'epoll_wait_old', 'eventfd', 'eventfd2', 'poll', 'ppoll', 'ppoll_time64', 'pselect6',
      'pselect6_time64', 'select',
    ],
  },
  // Inter-process communication: pipes, SysV IPC, POSIX message queues, memfd, and reading or
  // writing another process's memory.
  '@ipc': {
    description: 'IPC: pipes, SysV IPC, POSIX message queues, memfd, process_vm_readv/writev',
    members: [
      'ipc', 'memfd_create', 'mq_getsetattr', 'mq_notify', 'mq_open', 'mq_timedreceive', 'mq_timedreceive_time64',
      'mq_timedsend', 'mq_timedsend_time64', 'mq_unlink', 'msgctl', 'msgget', 'msgrcv', 'msgsnd', 'pipe', 'pipe2',
      'process_madvise', 'process_vm_readv', 'process_vm_writev', 'semctl', 'semget', 'semop', 'semtimedop',
      'semtimedop_time64', 'shmat', 'shmctl', 'shmdt', 'shmget',
    ],
  },
  // The kernel keyring.
  '@keyring': {
    description: 'the kernel keyring',
    members: ['add_key', 'keyctl', 'request_key'],
  },
  // Locking memory into RAM.
  '@memlock': {
    description: 'lock memory into RAM',
    members: ['mlock', 'mlock2', 'mlockall', 'munlock', 'munlockall'],
  },
  // Loading and unloading kernel modules.
  '@module': {
    description: 'load and unload kernel modules',
    members: ['delete_module', 'finit_module', 'init_module'],
  },
  // Mounting, unmounting and changing the root: the old mount(2) and the new mount API.
  '@mount': {
    description: 'mount, unmount, chroot, pivot_root and the new mount API',
    members: [
      'chroot', 'fsconfig', 'fsmount', 'fsopen', 'fspick', 'mount', 'mount_setattr', 'move_mount', 'open_tree',
      'pivot_root', 'umount', 'umount2',
    ],
  },
  // Sockets: creating, connecting, sending and receiving (and socketcall, which multiplexes
  // them all on x86, s390x and ppc64le).
  '@network-io': {
    description: 'sockets: socket, connect, bind, send, recv (and socketcall)',
    members: [
      'accept', 'accept4', 'bind', 'connect', 'getpeername', 'getsockname', 'getsockopt', 'listen', 'recv', 'recvfrom',
      'recvmmsg', 'recvmmsg_time64', 'recvmsg', 'send', 'sendmmsg', 'sendmsg', 'sendto', 'setsockopt', 'shutdown',
      'socket', 'socketcall', 'socketpair',
    ],
  },
  // Calls no current program needs: removed from the kernel, never implemented, or replaced.
  '@obsolete': {
    description: 'unused, unimplemented or removed syscalls',
    members: [
      '_sysctl', 'afs_syscall', 'bdflush', 'break', 'create_module', 'ftime', 'get_kernel_syms', 'getpmsg', 'gtty',
      'idle', 'lock', 'mpx', 'prof', 'profil', 'putpmsg', 'query_module', 'security', 'sgetmask', 'ssetmask', 'stty',
      'sysfs', 'tuxcall', 'ulimit', 'uselib', 'ustat', 'vserver',
    ],
  },
  // Memory protection keys.
  '@pkey': {
    description: 'memory protection keys',
    members: ['pkey_alloc', 'pkey_free', 'pkey_mprotect'],
  },
  // What only a privileged (CAP_SYS_ADMIN and friends) process should do: the privileged groups
  // plus accounting, bpf, capset, fanotify, quotas, host names, changing uid.
  '@privileged': {
    description: 'calls needing privileges: @chown, @clock, @module, @raw-io, @reboot, @swap, bpf, setuid...',
    members: [
      '@chown', '@clock', '@module', '@raw-io', '@reboot', '@swap', '_sysctl', 'acct', 'bpf', 'capset', 'chroot',
      'fanotify_init', 'fanotify_mark', 'nfsservctl', 'open_by_handle_at', 'pivot_root', 'quotactl', 'quotactl_fd',
      'setdomainname', 'setfsuid', 'setfsuid32', 'setgroups', 'setgroups32', 'sethostname', 'setresuid', 'setresuid32',
      'setreuid', 'setreuid32', 'setuid', 'setuid32', 'vhangup',
    ],
  },
  // Creating, changing and waiting for processes and threads, signalling them, namespaces.
  '@process': {
    description: 'processes and threads: clone, fork, exec, wait, kill, prctl, namespaces',
    members: [
      'capget', 'clone', 'clone3', 'execveat', 'fork', 'getrusage', 'kill', 'pidfd_open', 'pidfd_send_signal', 'prctl',
      'rt_sigqueueinfo', 'rt_tgsigqueueinfo', 'setns', 'swapcontext', 'tgkill', 'times', 'tkill', 'unshare', 'vfork',
      'wait4', 'waitid', 'waitpid',
    ],
  },
  // Direct hardware access: I/O ports and PCI config space.
  '@raw-io': {
    description: 'raw hardware access: I/O ports, PCI config space',
    members: ['ioperm', 'iopl', 'pciconfig_iobase', 'pciconfig_read', 'pciconfig_write', 's390_pci_mmio_read', 's390_pci_mmio_write'],
  },
  // Rebooting or loading a new kernel.
  '@reboot': {
    description: 'reboot and load a new kernel',
    members: ['kexec_file_load', 'kexec_load', 'reboot'],
  },
  // Changing resource limits, scheduling and memory placement.
  '@resources': {
    description: 'change limits, priorities, scheduling and NUMA placement',
    members: [
      'ioprio_set', 'mbind', 'migrate_pages', 'move_pages', 'nice', 'sched_setaffinity', 'sched_setattr',
      'sched_setparam', 'sched_setscheduler', 'set_mempolicy', 'set_mempolicy_home_node', 'setpriority', 'setrlimit',
    ],
  },
  // Sandboxing oneself: seccomp and landlock.
  '@sandbox': {
    description: 'sandbox oneself: seccomp, landlock',
    members: ['landlock_add_rule', 'landlock_create_ruleset', 'landlock_restrict_self', 'seccomp'],
  },
  // Changing user and group identity.
  '@setuid': {
    description: 'change user and group ids',
    members: [
      'setgid', 'setgid32', 'setgroups', 'setgroups32', 'setregid', 'setregid32', 'setresgid', 'setresgid32',
      'setresuid', 'setresuid32', 'setreuid', 'setreuid32', 'setuid', 'setuid32',
    ],
  },
  // Signal handlers, masks and waiting for signals (sending them is in @process).
  '@signal': {
    description: 'signal handlers, masks, signalfd',
    members: [
      'rt_sigaction', 'rt_sigpending', 'rt_sigprocmask', 'rt_sigsuspend', 'rt_sigtimedwait', 'rt_sigtimedwait_time64',
      'sigaction', 'sigaltstack', 'signal', 'signalfd', 'signalfd4', 'sigpending', 'sigprocmask', 'sigsuspend',
    ],
  },
  // Enabling and disabling swap.
  '@swap': {
    description: 'enable and disable swap',
    members: ['swapoff', 'swapon'],
  },
  // Flushing file data to storage.
  '@sync': {
    description: 'flush data to storage: fsync, sync, msync',
    members: ['fdatasync', 'fsync', 'msync', 'sync', 'sync_file_range', 'sync_file_range2', 'syncfs'],
  },
  // A reasonable base for an ordinary service, as systemd recommends: the everyday groups plus
  // common calls that fit none of them (ioctl, madvise, sendfile, splice, uname, ...).
  '@system-service': {
    description: 'a base for ordinary services: the everyday groups plus ioctl, madvise, uname...',
    members: [
      '@aio', '@basic-io', '@chown', '@default', '@file-system', '@io-event', '@ipc', '@keyring', '@memlock',
      '@network-io', '@process', '@resources', '@setuid', '@signal', '@sync', '@timer', 'arm_fadvise64_64', 'capget',
      'capset', 'copy_file_range', 'fadvise64', 'fadvise64_64', 'flock', 'get_mempolicy', 'getcpu', 'getpriority',
      'ioctl', 'ioprio_get', 'kcmp', 'madvise', 'mremap', 'name_to_handle_at', 'oldolduname', 'olduname',
      'personality', 'readahead', 'readdir', 'remap_file_pages', 'sched_get_priority_max', 'sched_get_priority_min',
      'sched_getattr', 'sched_getparam', 'sched_getscheduler', 'sched_rr_get_interval', 'sched_rr_get_interval_time64',
      'sched_yield', 'sendfile', 'sendfile64', 'setfsgid', 'setfsgid32', 'setfsuid', 'setfsuid32', 'setpgid', 'setsid',
      'splice', 'sysinfo', 'tee', 'umask', 'uname', 'userfaultfd', 'vmsplice',
    ],
  },
  // Timers and alarms.
  '@timer': {
    description: 'timers: alarm, setitimer, timer_create, timerfd',
    members: [
      'alarm', 'getitimer', 'setitimer', 'timer_create', 'timer_delete', 'timer_getoverrun', 'timer_gettime',
      'timer_gettime64', 'timer_settime', 'timer_settime64', 'timerfd_create', 'timerfd_gettime', 'timerfd_gettime64',
      'timerfd_settime', 'timerfd_settime64', 'times',
    ],
  },
};
