/**
 * An example policy for a small network service: it reads and writes files and sockets, talks
 * IPv4, IPv6 and unix sockets only, never maps memory writable and executable at once, and dies
 * if it tries to debug another process. Everything else fails with EPERM.
 *
 *   seccompile examples/my-policy.ts -o my-policy.bpf     compile it
 *   seccompile verify examples/my-policy.ts                check the filter against the rules
 *   seccompile test examples/my-policy.ts examples/my-policy.cases.jsonl
 *   node --import tsx examples/my-policy.test.ts           its unit tests (seccompile/testing)
 */
import { AF_INET, AF_INET6, AF_UNIX, PROT_EXEC, PROT_WRITE, allow, arg, errno, kill, policy } from 'seccompile';

export default policy({
  default: errno('EPERM'),
  arch: ['x86_64', 'aarch64'],
  rules: [
    allow('read', 'write', 'readv', 'writev', 'pread64', 'pwrite64', 'close', 'lseek', 'fstat', 'newfstatat', 'openat'),
    allow('getrandom', 'futex', 'brk', 'munmap', 'madvise', 'clock_gettime', 'nanosleep', 'exit', 'exit_group'),
    allow('rt_sigreturn', 'rt_sigprocmask', 'rt_sigaction', 'getpid', 'gettid'),
    allow('epoll_create1', 'epoll_ctl', 'epoll_pwait', 'accept4', 'bind', 'listen', 'connect'),
    allow('recvfrom', 'sendto', 'recvmsg', 'sendmsg', 'shutdown', 'setsockopt', 'getsockopt', 'getsockname'),

    // W^X: memory may be writable or executable, never both at once.
    errno('EACCES').on('mmap', 'mprotect').when(arg(2).int.maskedEq(PROT_WRITE | PROT_EXEC, PROT_WRITE | PROT_EXEC)),
    allow('mmap', 'mprotect'),

    // IPv4, IPv6 and unix sockets; any other family is "not supported".
    allow('socket').when(arg(0).int.in([AF_INET, AF_INET6, AF_UNIX])),
    errno('EAFNOSUPPORT').on('socket'),

    // Debugging other processes is never legitimate here.
    kill().on('ptrace', 'process_vm_readv', 'process_vm_writev'),
  ],
});
