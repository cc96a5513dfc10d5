/**
 * The one error type of the launcher: which setup step failed, the system call and errno
 * when a syscall failed, and the exit status the CLI reports for it (the `docker run`
 * convention: 125 jail's own failure, 126 command cannot be executed, 127 command not found).
 * It crosses the init stage -> supervisor status channel as JSON, so it is plain data.
 */
import { errnoMessage, errnoName } from './linux.js';

export type LaunchExit = 125 | 126 | 127;

export interface LaunchErrorData {
  readonly step: string;
  readonly message: string;
  readonly syscall?: string;
  readonly errno?: number;
  readonly exitCode: LaunchExit;
}

export class LaunchError extends Error implements LaunchErrorData {
  override readonly name = 'LaunchError';
  readonly step: string;
  readonly syscall?: string;
  readonly errno?: number;
  readonly exitCode: LaunchExit;

  constructor(data: LaunchErrorData) {
    super(data.message);
    this.step = data.step;
    this.syscall = data.syscall;
    this.errno = data.errno;
    this.exitCode = data.exitCode;
  }

  toJSON(): LaunchErrorData {
    return { step: this.step, message: this.message, syscall: this.syscall, errno: this.errno, exitCode: this.exitCode };
  }
}

/** A failed system call in `step`: "mount /proc: mount: EPERM (operation not permitted)". */
export function syscallError(step: string, syscall: string, errno: number, hint?: string): LaunchError {
  const what = `${syscall}: ${errnoName(errno)} (${errnoMessage(errno)})`;
  return new LaunchError({
    step,
    syscall,
    errno,
    exitCode: 125,
    message: `${step}: ${what}${hint ? `; ${hint}` : ''}`,
  });
}

/** A setup failure that is not one syscall (bad configuration, missing kernel feature). */
export function setupError(step: string, message: string, exitCode: LaunchExit = 125): LaunchError {
  return new LaunchError({ step, message: `${step}: ${message}`, exitCode });
}
