/**
 * What `import ... from 'seccompile'` in a policy file loads when the policy imports only these
 * names: the DSL and the plain constants a policy is written with, none of the compiler, the
 * analysis, the OCI import, the syscall tables or the WebAssembly JIT. The loader evaluates a policy
 * in a fresh worker thread, where importing the whole package costs more than the policy itself;
 * a policy that imports anything else (or imports the package as a namespace, or dynamically) gets
 * the whole package (src/loader/entry.ts decides).
 *
 * Every name here is also exported by ./index.ts, with the same value: in dist/ both entries share
 * the chunks these modules are bundled into. No side effects, no Node imports.
 */
export * from './dsl/index.js';
export * from './syscalls/constants.js';
export * from './syscalls/errno.js';
export { ARCH_NAMES } from './syscalls/arch.js';
export { IPC_CALL, IPC_CALLS, SOCKETCALL, SOCKETCALL_CALLS } from './syscalls/multiplexers.js';
export { groupSyscalls, groupSyscallsOn, isGroupName, unknownGroupMessage, GROUP_NAMES, SYSCALL_GROUPS } from './syscalls/group.js';
