/**
 * net-off: everything allowed except creating sockets other than AF_UNIX, on every target
 * arch. Denied calls fail with EAFNOSUPPORT, as on a kernel without that address family.
 *  - socket/socketpair: allowed only for AF_UNIX (the domain is an int: the 32-bit view).
 *  - socketcall (x86, s390x, ppc64le): its arguments are behind a pointer, so the domain cannot
 *    be checked there; creating sockets through it is refused outright (current libcs use the
 *    direct socket syscalls), every other sub-call (connect, sendmsg, ...) stays allowed.
 *  - io_uring_setup: ENOSYS, since io_uring can open sockets (IORING_OP_SOCKET) without
 *    socket(); runtimes that probe it (libuv) fall back to plain syscalls.
 */
import { AF_UNIX, SOCKETCALL, allow, arg, errno, policy } from 'seccompile';

export default policy({
  default: allow(),
  rules: [
    errno('EAFNOSUPPORT').on('socketcall').when(arg(0).int.eq(SOCKETCALL.SYS_SOCKET)),
    errno('EAFNOSUPPORT').on('socketcall').when(arg(0).int.eq(SOCKETCALL.SYS_SOCKETPAIR)),
    allow('socket', 'socketpair').when(arg(0).int.eq(AF_UNIX)),
    errno('EAFNOSUPPORT').on('socket', 'socketpair'),
    errno('ENOSYS').on('io_uring_setup'),
  ],
});
