/**
 * default: an allow-list general enough for ordinary programs (sh, coreutils, python3, node,
 * git, networking clients), modeled on what they call (strace -f -c) and on container runtimes'
 * default profiles. Everything not listed fails with EPERM; syscalls newer than our tables get
 * ENOSYS (so e.g. glibc falls back to older calls).
 *
 * Denied on purpose (EPERM): kernel and system administration (modules, kexec, reboot, swap,
 * clock setting, mount and namespace changes, keyrings, bpf, perf), debugging other processes
 * (ptrace, process_vm_*), and legacy or rarely needed kernel surface (userfaultfd, io_uring,
 * open_by_handle_at). `clone` may not create namespaces (its flags are checked; they are the
 * first argument everywhere except s390x, where they are the second); `clone3` passes its flags
 * in memory, where seccomp cannot read them, so it gets ENOSYS and libc falls back to `clone`.
 *
 * Also refused, as container runtimes do: the terminal ioctls TIOCSTI and TIOCLINUX (a command
 * sharing the user's terminal could type into the shell that started it); sockets of the
 * AF_VSOCK family (host-guest channels), which fail with EAFNOSUPPORT as on a kernel without
 * them, and socketcall(SYS_SOCKET/SYS_SOCKETPAIR), whose family seccomp cannot read (32-bit
 * programs of libcs from this decade call socket(2) directly); `personality` other than the plain Linux persona,
 * PER_LINUX32, UNAME26 and the query 0xffffffff (the values Docker allows).
 */
import {
  AF_VSOCK,
  CLONE_NEWCGROUP,
  CLONE_NEWIPC,
  CLONE_NEWNET,
  CLONE_NEWNS,
  CLONE_NEWPID,
  CLONE_NEWTIME,
  CLONE_NEWUSER,
  CLONE_NEWUTS,
  PER_LINUX,
  PER_LINUX32,
  SOCKETCALL,
  TIOCLINUX,
  TIOCSTI,
  UNAME26,
  allow,
  arg,
  errno,
  policy,
} from 'seccompile';

const CLONE_NAMESPACES =
  CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWTIME;

export default policy({
  default: errno('EPERM'),
  rules: [
    // Refused arguments of calls allowed below (the first rule that matches decides).
    errno('EPERM').on('ioctl').when(arg(1).int.eq(TIOCSTI)),
    errno('EPERM').on('ioctl').when(arg(1).int.eq(TIOCLINUX)),
    errno('EAFNOSUPPORT').on('socketcall').when(arg(0).int.eq(SOCKETCALL.SYS_SOCKET)),
    errno('EAFNOSUPPORT').on('socketcall').when(arg(0).int.eq(SOCKETCALL.SYS_SOCKETPAIR)),
    errno('EAFNOSUPPORT').on('socket', 'socketpair').when(arg(0).int.eq(AF_VSOCK)),
    // Files and directories.
    allow('read', 'readv', 'pread64', 'preadv', 'preadv2', 'write', 'writev', 'pwrite64', 'pwritev', 'pwritev2'),
    allow('open', 'openat', 'openat2', 'creat', 'close', 'close_range', 'lseek', '_llseek'),
    allow('dup', 'dup2', 'dup3', 'pipe', 'pipe2', 'fcntl', 'fcntl64', 'ioctl', 'flock'),
    allow('fsync', 'fdatasync', 'sync', 'syncfs', 'sync_file_range', 'sync_file_range2', 'arm_sync_file_range'),
    allow('truncate', 'truncate64', 'ftruncate', 'ftruncate64', 'fallocate', 'fadvise64', 'fadvise64_64', 'arm_fadvise64_64', 'readahead'),
    allow('sendfile', 'sendfile64', 'splice', 'tee', 'vmsplice', 'copy_file_range'),
    allow('stat', 'stat64', 'lstat', 'lstat64', 'fstat', 'fstat64', 'oldfstat', 'oldstat', 'oldlstat', 'newfstatat', 'fstatat64', 'statx'),
    allow('statfs', 'statfs64', 'fstatfs', 'fstatfs64', 'access', 'faccessat', 'faccessat2', 'readlink', 'readlinkat'),
    allow('getdents', 'getdents64', 'readdir', 'getcwd', 'chdir', 'fchdir'),
    allow('mkdir', 'mkdirat', 'rmdir', 'unlink', 'unlinkat', 'rename', 'renameat', 'renameat2', 'link', 'linkat', 'symlink', 'symlinkat'),
    allow('chmod', 'fchmod', 'fchmodat', 'fchmodat2', 'chown', 'fchown', 'lchown', 'fchownat', 'chown32', 'fchown32', 'lchown32', 'umask'),
    allow('utime', 'utimes', 'futimesat', 'utimensat', 'utimensat_time64', 'mknod', 'mknodat'),
    allow('getxattr', 'lgetxattr', 'fgetxattr', 'getxattrat', 'listxattr', 'llistxattr', 'flistxattr', 'listxattrat'),
    allow('setxattr', 'lsetxattr', 'fsetxattr', 'setxattrat', 'removexattr', 'lremovexattr', 'fremovexattr', 'removexattrat'),
    allow('inotify_init', 'inotify_init1', 'inotify_add_watch', 'inotify_rm_watch', 'memfd_create', 'cachestat'),
    // Memory.
    allow('brk', 'mmap', 'mmap2', 'munmap', 'mremap', 'mprotect', 'madvise', 'mincore', 'msync', 'remap_file_pages'),
    allow('mlock', 'mlock2', 'munlock', 'mlockall', 'munlockall', 'membarrier', 'pkey_alloc', 'pkey_free', 'pkey_mprotect'),
    allow('get_mempolicy', 'set_mempolicy', 'mbind', 'mseal', 'map_shadow_stack'),
    // Processes and threads (clone: see below).
    allow('execve', 'execveat', 'exit', 'exit_group', 'fork', 'vfork', 'wait4', 'waitid', 'waitpid'),
    allow('kill', 'tkill', 'tgkill', 'pidfd_open', 'pidfd_send_signal', 'restart_syscall'),
    allow('getpid', 'getppid', 'gettid', 'getpgid', 'setpgid', 'getpgrp', 'getsid', 'setsid'),
    allow('getuid', 'geteuid', 'getgid', 'getegid', 'getresuid', 'getresgid', 'getgroups'),
    allow('getuid32', 'geteuid32', 'getgid32', 'getegid32', 'getresuid32', 'getresgid32', 'getgroups32'),
    allow('setuid', 'setgid', 'setreuid', 'setregid', 'setresuid', 'setresgid', 'setgroups', 'setfsuid', 'setfsgid'),
    allow('setuid32', 'setgid32', 'setreuid32', 'setregid32', 'setresuid32', 'setresgid32', 'setgroups32', 'setfsuid32', 'setfsgid32'),
    allow('personality').when(arg(0).int.eq(PER_LINUX)),
    allow('personality').when(arg(0).int.eq(PER_LINUX32)),
    allow('personality').when(arg(0).int.eq(UNAME26)),
    allow('personality').when(arg(0).int.eq(UNAME26 | PER_LINUX32)),
    allow('personality').when(arg(0).int.eq(0xffffffff)),
    allow('capget', 'capset', 'prctl', 'arch_prctl', 'set_tid_address', 'set_robust_list', 'get_robust_list', 'rseq'),
    allow('prlimit64', 'getrlimit', 'setrlimit', 'ugetrlimit', 'getrusage', 'times', 'sysinfo', 'uname', 'olduname', 'oldolduname'),
    allow('getpriority', 'setpriority', 'ioprio_get', 'ioprio_set', 'getcpu', 'getrandom'),
    allow('sched_yield', 'sched_getaffinity', 'sched_setaffinity', 'sched_getparam', 'sched_setparam', 'sched_getscheduler', 'sched_setscheduler'),
    allow('sched_get_priority_max', 'sched_get_priority_min', 'sched_rr_get_interval', 'sched_rr_get_interval_time64', 'sched_getattr', 'sched_setattr'),
    allow('landlock_create_ruleset', 'landlock_add_rule', 'landlock_restrict_self', 'seccomp'),
    // Arch-specific thread and cache helpers.
    allow('set_thread_area', 'get_thread_area', 'set_tls', 'get_tls', 'cacheflush', 'breakpoint', 'riscv_flush_icache', 'riscv_hwprobe'),
    allow('s390_runtime_instr', 's390_guarded_storage', 'switch_endian', 'sys_debug_setcontext', 'subpage_prot'),
    // Signals.
    allow('rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'rt_sigsuspend', 'rt_sigpending', 'rt_sigtimedwait', 'rt_sigtimedwait_time64'),
    allow('rt_sigqueueinfo', 'rt_tgsigqueueinfo', 'sigaltstack', 'sigreturn', 'sigaction', 'sigprocmask', 'sigsuspend', 'sigpending'),
    allow('signal', 'signalfd', 'signalfd4', 'pause', 'alarm'),
    // Time.
    allow('nanosleep', 'clock_nanosleep', 'clock_nanosleep_time64', 'clock_gettime', 'clock_gettime64', 'clock_getres', 'clock_getres_time64'),
    allow('gettimeofday', 'time', 'getitimer', 'setitimer'),
    allow('timer_create', 'timer_delete', 'timer_settime', 'timer_settime64', 'timer_gettime', 'timer_gettime64', 'timer_getoverrun'),
    allow('timerfd_create', 'timerfd_settime', 'timerfd_settime64', 'timerfd_gettime', 'timerfd_gettime64'),
    // Waiting for events.
    allow('poll', 'ppoll', 'ppoll_time64', 'select', '_newselect', 'pselect6', 'pselect6_time64'),
    allow('epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_ctl_old', 'epoll_wait', 'epoll_wait_old', 'epoll_pwait', 'epoll_pwait2'),
    allow('eventfd', 'eventfd2', 'futex', 'futex_time64', 'futex_waitv', 'futex_wait', 'futex_wake', 'futex_requeue'),
    // Sockets (any family; see net-off for a policy without network) and IPC.
    allow('socket', 'socketpair', 'bind', 'connect', 'listen', 'accept', 'accept4', 'getsockname', 'getpeername', 'shutdown'),
    allow('sendto', 'recvfrom', 'send', 'recv', 'sendmsg', 'recvmsg', 'sendmmsg', 'recvmmsg', 'recvmmsg_time64', 'setsockopt', 'getsockopt', 'socketcall'),
    allow('semget', 'semop', 'semtimedop', 'semtimedop_time64', 'semctl', 'msgget', 'msgsnd', 'msgrcv', 'msgctl'),
    allow('shmget', 'shmat', 'shmdt', 'shmctl', 'ipc'),
    allow('mq_open', 'mq_unlink', 'mq_timedsend', 'mq_timedsend_time64', 'mq_timedreceive', 'mq_timedreceive_time64', 'mq_notify', 'mq_getsetattr'),
    allow('io_setup', 'io_destroy', 'io_submit', 'io_cancel', 'io_getevents', 'io_pgetevents', 'io_pgetevents_time64'),
    // Threads and processes, without new namespaces.
    allow('clone').when(arg(0).int.maskedEq(CLONE_NAMESPACES, 0)).forArch('x86_64', 'x86', 'x32', 'aarch64', 'arm', 'riscv64', 'ppc64le', 'loongarch64'),
    allow('clone').when(arg(1).int.maskedEq(CLONE_NAMESPACES, 0)).forArch('s390x'),
    errno('ENOSYS').on('clone3'),
    errno('ENOSYS').on('io_uring_setup', 'io_uring_enter', 'io_uring_register'),
    // Denied: listed so the intent is explicit (the default would deny them too).
    errno('EPERM').on('ptrace', 'process_vm_readv', 'process_vm_writev', 'kcmp', 'pidfd_getfd'),
    errno('EPERM').on('mount', 'umount', 'umount2', 'pivot_root', 'chroot', 'mount_setattr', 'move_mount', 'open_tree'),
    errno('EPERM').on('fsopen', 'fsconfig', 'fsmount', 'fspick', 'unshare', 'setns'),
    errno('EPERM').on('kexec_load', 'kexec_file_load', 'reboot', 'init_module', 'finit_module', 'delete_module'),
    errno('EPERM').on('bpf', 'perf_event_open', 'userfaultfd', 'keyctl', 'add_key', 'request_key', 'syslog', 'acct'),
    errno('EPERM').on('swapon', 'swapoff', 'settimeofday', 'stime', 'clock_settime', 'clock_settime64', 'adjtimex', 'clock_adjtime', 'clock_adjtime64'),
    errno('EPERM').on('sethostname', 'setdomainname', 'iopl', 'ioperm', 'quotactl', 'quotactl_fd', 'vhangup', 'open_by_handle_at', 'name_to_handle_at'),
    errno('EPERM').on('fanotify_init', 'lookup_dcookie', 'nfsservctl', 'uselib', 'create_module', 'get_kernel_syms', 'query_module', 'sysfs', '_sysctl', 'ustat'),
    errno('EPERM').on('vm86', 'vm86old', 'move_pages', 'migrate_pages'),
  ],
});
