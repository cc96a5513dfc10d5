/**
 * Sub-call numbers of the multiplexed syscalls `socketcall` and `ipc`, under the kernel's own
 * names: SYS_* from include/uapi/linux/net.h (dispatched by net/socket.c __sys_socketcall) and
 * SEMOP.. from include/uapi/linux/ipc.h (dispatched by ipc/syscall.c ksys_ipc, which takes
 * `call & 0xffff` as the sub-call and `call >> 16` as a version). Which arches have the
 * multiplexers is read from the tables (x86, s390x, ppc64le), see ./index.ts.
 */

/** include/uapi/linux/net.h */
export const SOCKETCALL = {
  SYS_SOCKET: 1,
  SYS_BIND: 2,
  SYS_CONNECT: 3,
  SYS_LISTEN: 4,
  SYS_ACCEPT: 5,
  SYS_GETSOCKNAME: 6,
  SYS_GETPEERNAME: 7,
  SYS_SOCKETPAIR: 8,
  SYS_SEND: 9,
  SYS_RECV: 10,
  SYS_SENDTO: 11,
  SYS_RECVFROM: 12,
  SYS_SHUTDOWN: 13,
  SYS_SETSOCKOPT: 14,
  SYS_GETSOCKOPT: 15,
  SYS_SENDMSG: 16,
  SYS_RECVMSG: 17,
  SYS_ACCEPT4: 18,
  SYS_RECVMMSG: 19,
  SYS_SENDMMSG: 20,
} as const;

/** include/uapi/linux/ipc.h */
export const IPC_CALL = {
  SEMOP: 1,
  SEMGET: 2,
  SEMCTL: 3,
  SEMTIMEDOP: 4,
  MSGSND: 11,
  MSGRCV: 12,
  MSGGET: 13,
  MSGCTL: 14,
  SHMAT: 21,
  SHMDT: 22,
  SHMGET: 23,
  SHMCTL: 24,
} as const;

/** A frozen lookup without a prototype, so `calls['toString']` is undefined. */
function callTable(entries: [string, number][]): Readonly<Record<string, number>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, number>, Object.fromEntries(entries)));
}

/** Demultiplexed syscall name -> socketcall sub-call: the name is the SYS_ constant lower-cased. */
export const SOCKETCALL_CALLS = callTable(Object.entries(SOCKETCALL).map(([k, v]) => [k.slice(4).toLowerCase(), v]));

/** Demultiplexed syscall name -> ipc sub-call: the constant lower-cased. */
export const IPC_CALLS = callTable(Object.entries(IPC_CALL).map(([k, v]) => [k.toLowerCase(), v]));

/** args[0] mask for socketcall: the whole int is the sub-call. */
export const SOCKETCALL_CALL_MASK = 0xffffffff;
/** args[0] mask for ipc: the high 16 bits carry the version (IPCCALL(version, op)). */
export const IPC_CALL_MASK = 0xffff;
