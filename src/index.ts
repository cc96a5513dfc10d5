/**
 * The package root, `seccompile`: what a policy file imports. The DSL (policy, actions, arg, the
 * spec types), the constants policies compare arguments with (AF_*, CLONE_*, O_*, errno values,
 * socketcall/ipc numbers) and the syscall tables (arches, names, groups). No Node imports but the
 * host lookup's process.arch, no side effects: a policy file bundles this module.
 *
 * The tools are subpath exports, each its own semver surface: `seccompile/compiler` (normalize,
 * compile, diagnostics, the IR), `seccompile/bpf` (the classic-BPF toolkit and the evaluators),
 * `seccompile/oci`, `seccompile/analysis` (verify, diff, explain, the CLI's JSON shapes),
 * `seccompile/testing` and `seccompile/constants` (every kernel constant, seccomp's included).
 */
export * from './dsl/index.js';
export * from './syscalls/index.js';
export * from './syscalls/errno.js';
export * from './syscalls/constants.js';
