/**
 * An example policy written with syscall groups (see `seccompile syscalls --groups`): an
 * ordinary network service gets systemd's @system-service set, minus what it must never do,
 * with its sockets limited to IPv4, IPv6 and unix, and no new namespaces. Everything else fails
 * with EPERM. Rules are tried in order, so the refusals come before the broad allow.
 *
 *   seccompile syscalls --group @system-service       what the group holds on this arch
 *   seccompile explain examples/service-groups.ts socket clone
 *   seccompile examples/service-groups.ts -o service.bpf
 */
import { AF_INET, AF_INET6, AF_UNIX, CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER, CLONE_NEWUTS } from 'seccompile';
import { allow, arg, errno, kill, policy } from 'seccompile';

const CLONE_NAMESPACES = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET;

export default policy({
  default: errno('EPERM'),
  arch: ['x86_64', 'aarch64'],
  rules: [
    // Never legitimate for a service: dies on the spot.
    kill().on('@module', '@reboot', '@raw-io', '@debug'),
    // Privileged or pointless: refused.
    errno('EPERM').on('@mount', '@swap', '@clock', '@obsolete', '@cpu-emulation', '@privileged'),
    // io_uring performs file and socket operations seccomp never sees, and clone3's flags sit
    // where seccomp cannot read them: both look absent, so callers fall back.
    errno('ENOSYS').on('io_uring_setup', 'io_uring_enter', 'io_uring_register', 'clone3'),
    // Threads and processes, but no new namespaces.
    allow('clone').when(arg(0).int.maskedEq(CLONE_NAMESPACES, 0)),
    errno('EPERM').on('clone', 'unshare', 'setns'),
    // IPv4, IPv6 and unix sockets; any other family is "not supported".
    allow('socket', 'socketpair').when(arg(0).int.eq(AF_INET)),
    allow('socket', 'socketpair').when(arg(0).int.eq(AF_INET6)),
    allow('socket', 'socketpair').when(arg(0).int.eq(AF_UNIX)),
    errno('EAFNOSUPPORT').on('socket', 'socketpair'),
    // The rest of an ordinary service.
    allow('@system-service'),
  ],
});
