/**
 * Entry of jail's init stage (dist/cli/jail-init.cjs, a bundle of its own so it loads only the
 * launcher's setup steps and koffi). The supervisor starts it as PID 1 of the new pid
 * namespace with a status channel on fd 3, on which the InitConfig arrives as one JSON line; it
 * sets up and execve()s the command, or reports why it could not on fd 3 and exits 125/126/127.
 */
import { readSync, writeSync } from 'node:fs';
import { reportToSupervisor } from '../../launcher/init/exec.js';
import { libc } from '../../launcher/ffi.js';
import { ENTER_STEPS } from '../../launcher/init/enter-steps.js';
import { INIT_STEPS, runInit } from '../../launcher/init/init-steps.js';
import { LaunchError, setupError } from '../../launcher/launch-error.js';
import { PR_SET_DUMPABLE } from '../../launcher/linux.js';
import type { InitConfig } from '../../launcher/spec.js';

const STATUS_FD = 3;

// Node's SIGUSR1 handler opens the inspector, where code would run with the init stage's
// privileges before the filter: a listener of our own replaces it. (`jail enter` starts this
// stage inside a running jail, whose processes may signal it.)
process.on('SIGUSR1', () => {});
// Not ptrace-able (nor its /proc files readable) by other processes of the same user until
// execve, which makes the command dumpable again.
libc().prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

function fail(e: unknown): never {
  const error = e instanceof LaunchError ? e : setupError('init', e instanceof Error ? e.message : String(e));
  try {
    reportToSupervisor(STATUS_FD, error.toJSON());
  } catch {
    // Nothing more to do: the exit status still tells the supervisor.
  }
  // _exit: no Node shutdown (it may be running under the seccomp filter already).
  return libc()._exit(error.exitCode);
}

/** The first line on the channel (a blocking socket in this process). */
function readConfigLine(): string {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(65536);
  for (;;) {
    const n = readSync(STATUS_FD, buf, 0, buf.length, null);
    if (n === 0) throw new Error('the supervisor closed the channel before sending the configuration');
    const nl = buf.subarray(0, n).indexOf(10);
    chunks.push(Buffer.from(buf.subarray(0, nl < 0 ? n : nl)));
    if (nl >= 0) return Buffer.concat(chunks).toString('utf8');
  }
}

try {
  const config = JSON.parse(readConfigLine()) as InitConfig;
  if (config.stderrFd !== undefined) {
    libc().dup2(config.stderrFd, 2);
    libc().close(config.stderrFd);
  }
  const log = config.verbose ? (step: string, detail: string) => writeSync(2, `jail: [init] ${step}: ${detail}\n`) : () => {};
  runInit(config, { statusFd: STATUS_FD, log }, config.enter ? ENTER_STEPS : INIT_STEPS);
} catch (e) {
  fail(e);
}
