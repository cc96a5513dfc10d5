/**
 * stdio: only read, write, exit, exit_group and rt_sigreturn (plus sigreturn on the 32-bit ABIs
 * that have it), like the kernel's strict mode (kernel/seccomp.c mode1_syscalls). Anything else
 * kills the process, also syscalls newer than our tables.
 */
import { allow, kill, policy } from 'seccompile';

export default policy({
  default: kill(),
  newer: kill(),
  rules: [allow('read', 'write', 'exit', 'exit_group', 'rt_sigreturn', 'sigreturn')],
});
