/**
 * Rootless jails: a user namespace in which the invoking user is root, created before Node
 * runs in it. Node is multithreaded, and unshare(CLONE_NEWUSER) (like setns into one) fails
 * with EINVAL in a multithreaded process (kernel/fork.c check_unshare_flags), so a
 * single-threaded helper makes the namespaces and then execs the init stage:
 *
 *   jail (supervisor) ─ setpriv --pdeathsig KILL unshare --user --map-root-user --pid --fork --kill-child
 *                        └─ node jail-init.cjs   PID 1, uid 0 in the new user namespace
 *
 * util-linux's `unshare` and `setpriv` are on essentially every Linux system, cost about a
 * millisecond each (no Node start), and their behaviour is documented: `--map-root-user` maps
 * the caller's uid and gid to 0 (and denies setgroups, as unprivileged maps require), `--fork`
 * makes the init stage PID 1 of the new pid namespace, `--kill-child` SIGKILLs it if unshare
 * dies, and setpriv's `--pdeathsig` makes unshare die with jail. The init stage, root in the
 * user namespace that owns its other namespaces, then sets up everything as under real root.
 * unshare does not forward signals: jail signals the init stage (its only child) directly.
 */
import { accessSync, constants, readFileSync } from 'node:fs';

/** Whether this user can have a rootless jail here, and if not, the setting or tool that stops it. */
export interface UsernsSupport {
  readonly ok: boolean;
  /** One line: what blocks user namespaces and how to change it. */
  readonly why?: string;
  readonly unshare?: string;
  readonly setpriv?: string;
}

function sysctl(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** An executable called `name` in the usual system directories. */
export function findTool(name: string, dirs: readonly string[] = ['/usr/bin', '/bin', '/usr/sbin', '/sbin']): string | undefined {
  for (const dir of dirs) {
    try {
      accessSync(`${dir}/${name}`, constants.X_OK);
      return `${dir}/${name}`;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** Reads the kernel settings that can refuse user namespaces to unprivileged users. */
export function probeUserNamespaces(read: (path: string) => string | undefined = sysctl, find: (name: string) => string | undefined = findTool): UsernsSupport {
  const max = read('/proc/sys/user/max_user_namespaces');
  if (max === undefined) return { ok: false, why: 'the kernel has no user namespaces (CONFIG_USER_NS)' };
  if (max === '0') {
    return { ok: false, why: 'user namespaces are off: user.max_user_namespaces is 0 (as root: sysctl -w user.max_user_namespaces=15000)' };
  }
  if (read('/proc/sys/kernel/unprivileged_userns_clone') === '0') {
    return { ok: false, why: 'unprivileged user namespaces are off: kernel.unprivileged_userns_clone is 0 (as root: sysctl -w kernel.unprivileged_userns_clone=1)' };
  }
  if (read('/proc/sys/kernel/apparmor_restrict_unprivileged_userns') === '1') {
    return {
      ok: false,
      why: 'AppArmor restricts unprivileged user namespaces: kernel.apparmor_restrict_unprivileged_userns is 1 (give node an AppArmor profile with "userns," or, as root, sysctl -w kernel.apparmor_restrict_unprivileged_userns=0)',
    };
  }
  const unshare = find('unshare');
  const setpriv = find('setpriv');
  if (!unshare || !setpriv) return { ok: false, why: `util-linux's ${!unshare ? 'unshare' : 'setpriv'} is not installed (it creates the user namespace)` };
  return { ok: true, unshare, setpriv };
}

/**
 * The helper command line that starts `argv` (the init stage) in a new user namespace, and a
 * new pid namespace (`pid`) whose PID 1 it is. Without `pid`, unshare execs it in place.
 */
export function rootlessLauncher(support: UsernsSupport, argv: readonly string[], pid = true): { file: string; args: string[] } {
  if (!support.ok || !support.unshare || !support.setpriv) throw new Error('rootlessLauncher: user namespaces are not available');
  return {
    file: support.setpriv,
    args: ['--pdeathsig', 'KILL', support.unshare, '--user', '--map-root-user', ...(pid ? ['--pid', '--fork', '--kill-child'] : []), ...argv],
  };
}

/**
 * The helper command line that starts `argv` (jail enter's init stage) in the user and pid
 * namespaces of the rootless jail whose command is `pid`: util-linux nsenter joins them (it
 * must be single-threaded to join a user namespace) and forks, so the init stage is a process
 * of the jail's pid namespace. `--preserve-credentials`: the caller is already uid 0 there (the
 * map's only id), and setgroups, which nsenter would call otherwise, is denied in such a
 * namespace. The init stage joins the rest itself.
 */
export function rootlessEnterLauncher(support: UsernsSupport, pid: number, argv: readonly string[]): { file: string; args: string[] } {
  const nsenter = findTool('nsenter');
  if (!support.ok || !support.setpriv || !nsenter) throw new Error("rootlessEnterLauncher: util-linux's nsenter and setpriv are needed");
  return { file: support.setpriv, args: ['--pdeathsig', 'KILL', nsenter, `--target=${pid}`, '--user', '--pid', '--preserve-credentials', '--', ...argv] };
}

/** The only child of `pid` (unshare's, the init stage), once it exists. */
export function onlyChild(pid: number): number | undefined {
  const children = sysctl(`/proc/${pid}/task/${pid}/children`);
  const first = children?.split(/\s+/).find((p) => p !== '');
  return first === undefined ? undefined : Number(first);
}
