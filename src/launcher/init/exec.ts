/**
 * The end of the init stage: find the command, hand it fds 0-2, execve() it in place (so it
 * keeps the init's pid: PID 1 in a new pid namespace), and report a failure to the supervisor
 * through the status channel.
 *
 * Exit statuses follow the shells and `docker run`: 127 when the command is not found, 126
 * when it exists but cannot be executed (not executable, a directory, a missing interpreter).
 * Node marks fds 0-2 close-on-exec in the init stage, so they are cleared before execve();
 * everything from fd 3 up (the status channel included) is marked close-on-exec, so a
 * successful execve closes the channel and the supervisor reads end-of-file.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { errno, libc } from '../ffi.js';
import { LaunchError, type LaunchErrorData } from '../launch-error.js';
import { CLOSE_RANGE_CLOEXEC, F_SETFD, FD_CLOEXEC, errnoMessage, errnoName, syscallNumber } from '../linux.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The command's PATH from its environment, or the default execvp uses. */
export function pathOf(env: readonly string[]): string {
  const entry = env.find((e) => e.startsWith('PATH='));
  return entry === undefined ? DEFAULT_PATH : entry.slice(5);
}

function executable(file: string): 'ok' | 'missing' | 'denied' {
  try {
    const st = statSync(file);
    if (st.isDirectory()) return 'denied';
    accessSync(file, constants.X_OK);
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code === 'ENOENT' || (e as { code?: string }).code === 'ENOTDIR' ? 'missing' : 'denied';
  }
}

/** Looks `file` up as execvp(3) does: a name with a slash is a path, else each PATH entry. */
export function resolveCommand(step: string, file: string, path: string): string {
  if (file === '') throw new LaunchError({ step, message: 'empty command name', exitCode: 127 });
  if (file.includes('/')) {
    const state = executable(file);
    if (state === 'ok') return file;
    if (state === 'missing') throw new LaunchError({ step, message: `${file}: no such file or directory`, exitCode: 127 });
    throw new LaunchError({ step, message: `${file}: permission denied (not an executable file)`, exitCode: 126 });
  }
  let denied: string | undefined;
  for (const dir of path.split(':')) {
    const candidate = `${dir === '' ? '.' : dir}/${file}`;
    const state = executable(candidate);
    if (state === 'ok') return candidate;
    if (state === 'denied') denied ??= candidate;
  }
  if (denied !== undefined) {
    throw new LaunchError({ step, message: `${denied}: permission denied (not an executable file)`, exitCode: 126 });
  }
  throw new LaunchError({ step, message: `${file}: command not found (PATH=${path})`, exitCode: 127 });
}

/** fds 0-2 inherited across execve, everything else closed by it. */
export function prepareFds(statusFd: number): void {
  const c = libc();
  for (const fd of [0, 1, 2]) c.fcntl(fd, F_SETFD, 'int', 0); // EBADF for a closed fd is fine.
  const nr = syscallNumber('close_range');
  const marked = nr !== undefined && Number(c.syscall(nr, 'unsigned int', 3, 'unsigned int', 0xffffffff, 'unsigned int', CLOSE_RANGE_CLOEXEC)) === 0;
  if (!marked) c.fcntl(statusFd, F_SETFD, 'int', FD_CLOEXEC);
}

/** execve(); returns only by throwing (126/127). Nothing after the seccomp filter may allocate much or print. */
export function execCommand(step: string, path: string, argv: readonly string[], env: readonly string[]): never {
  libc().execve(path, [...argv, null], [...env, null]);
  const e = errno();
  // The file was found and executable a moment ago: ENOENT now means its interpreter (#!) or
  // dynamic loader is missing, which shells report as 126 too.
  const why = e === 2 ? 'its interpreter or dynamic loader was not found' : errnoMessage(e);
  throw new LaunchError({ step, syscall: 'execve', errno: e, exitCode: 126, message: `${path}: cannot execute: ${why} (${errnoName(e)})` });
}

/** Writes one JSON line to the status channel with plain write(2) (works under any filter that allows write). */
export function reportToSupervisor(statusFd: number, error: LaunchErrorData): void {
  const line = Buffer.from(JSON.stringify(error) + '\n');
  libc().write(statusFd, line, line.length);
}
