/**
 * `seccompile/constants`: the kernel constants seccompile knows, under their uapi names: the ones
 * policies compare arguments with (also in the package root), errno values, the socketcall/ipc
 * sub-call numbers, and seccomp's own ABI (SECCOMP_RET_*, AUDIT_ARCH_*, SECCOMP_FILTER_FLAG_*).
 */
export * from '../syscalls/constants.js';
export * from '../syscalls/errno.js';
export { IPC_CALL, IPC_CALLS, SOCKETCALL, SOCKETCALL_CALLS } from '../syscalls/multiplexers.js';
export * from '../seccomp/abi.js';
