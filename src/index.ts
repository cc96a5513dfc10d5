/**
 * The public API of seccompile: the policy DSL, the compiler, and the BPF toolkit.
 */
export * from './seccomp/abi.js';
export * as isa from './bpf/isa.js';
export * from './syscalls/index.js';
export * from './syscalls/errno.js';
export * from './syscalls/constants.js';
