/**
 * `jail` command-line options -> a JailSpec (minus the policy, which is resolved
 * asynchronously). Every mistake is a JailUsageError: one line, exit status 125.
 * Options stop at the first positional argument, so `jail ls -l` and `jail -- ls -l` both work.
 */
import arg from 'arg';
import { readFileSync } from 'node:fs';
import { fsArgs, FsOptionError, parseFsOptions, type RawMount } from './jail-fs-options.js';
import { checkJailName, JailNameError } from '../../launcher/registry/registry-names.js';
import { stateDir } from '../../launcher/registry/registry.js';
import { probeUserNamespaces, type UsernsSupport } from '../../launcher/userns.js';
import { delegatedCgroup, type Delegation } from '../../launcher/cgroups/cgroup-delegated.js';
import { neededControllers, readCgroupMounts, type Controller } from '../../launcher/cgroups/cgroups.js';
import { parseRlimit, RlimitSyntaxError } from '../../launcher/init/rlimits.js';
import { CapabilityError, keptCapabilities, parseCapabilities } from '../../launcher/init/capabilities.js';
import { ALL_NAMESPACES, NO_NAMESPACES, type JailSpec, type Namespaces, type Rlimit } from '../../launcher/spec.js';
import type { CgroupLimits } from '../../launcher/cgroups/cgroups.js';

export class JailUsageError extends Error {
  override readonly name = 'JailUsageError';
}

export interface JailOptions {
  readonly help: boolean;
  readonly version: boolean;
  readonly quiet: boolean;
  /** undefined = --no-seccomp */
  readonly policy?: string;
  /** `--load-timeout`: seconds a .ts/.js policy's code may run while it loads (undefined: the loader's default). */
  readonly loadTimeout?: number;
  /** `--learn FILE.ts`: record every call and write a policy allowing them (no policy applies). */
  readonly learn?: string;
  /** `--report-denials` (or --verbose): one line per distinct call the policy refused with an errno. */
  readonly reportDenials: boolean;
  /** The spec without its filter. */
  readonly spec: Omit<JailSpec, 'filter'>;
  /** Limits as the user wrote them, for messages ("the memory limit (256M)"). */
  readonly texts: { readonly memory?: string; readonly pids?: string; readonly cpus?: string };
  /** `--name`: register the run for `jail ps/enter/stop`. */
  readonly name?: string;
  /** Lines for stderr (unless --quiet) about protection this run goes without. */
  readonly warnings: readonly string[];
}

/** The option table (vercel/arg). */
export const JAIL_ARGS = {
  '--policy': String,
  '--load-timeout': String,
  '--no-seccomp': Boolean,
  '--learn': String,
  '--report-denials': Boolean,
  '--no-report-denials': Boolean,
  '--no-pid': Boolean,
  '--no-mount': Boolean,
  '--no-net': Boolean,
  '--no-uts': Boolean,
  '--no-ipc': Boolean,
  '--share-net': Boolean,
  '--hostname': String,
  '--memory': String,
  '--memory-swap': String,
  '--cpus': String,
  '--pids': String,
  '--cwd': String,
  '--env': [String] as [StringConstructor],
  '--clear-env': Boolean,
  '--uid': String,
  '--gid': String,
  '--rlimit': [String] as [StringConstructor],
  '--cap-drop': [String] as [StringConstructor],
  '--cap-add': [String] as [StringConstructor],
  '--timeout': String,
  '--kill-after': String,
  '--verbose': Boolean,
  '--quiet': Boolean,
  '--help': Boolean,
  '--version': Boolean,
  '--name': String,
  '--require-isolation': Boolean,
  '--no-namespaces': Boolean,
  '-p': '--policy',
  '-e': '--env',
  '-v': '--verbose',
  '-q': '--quiet',
  '-h': '--help',
  '-V': '--version',
} satisfies arg.Spec;

export const JAIL_USAGE = `Usage: jail [options] [--] COMMAND [ARGS...]

Runs COMMAND in new namespaces, in a fresh cgroup, under a seccomp policy.

Policy:
  -p, --policy NAME|FILE   a built-in policy (default: default), a .bpf filter,
                           a .ts/.js policy or an OCI .json profile
      --load-timeout S     seconds a .ts/.js policy's own code may run while it
                           loads (default 10)
      --no-seccomp         no seccomp filter
      --report-denials     at exit, one line per distinct call the policy refused with an
                           errno, and the rule that refused it (on with --verbose)
      --no-report-denials  no denial report, even with --verbose (a command that installs a
                           seccomp listener of its own needs it: one listener per process)
      --learn FILE.ts      no policy: record every call the command (and its threads and
                           children) makes, and write FILE.ts, a policy allowing just those,
                           and FILE.cases.jsonl (for seccompile test); run again to add more
Namespaces (all on; without root inside a user namespace of the caller's):
      --no-pid --no-mount --no-net --no-uts --no-ipc
      --share-net          keep the host network (same as --no-net)
      --hostname NAME      hostname in the uts namespace (default: jail)
Cgroup limits (root):
      --memory SIZE        e.g. 256M, 1G (at least 4M); the command is killed beyond it (no swap)
      --memory-swap SIZE   memory plus swap (at least --memory)
      --cpus N             e.g. 0.5 of one CPU
      --pids N             processes and threads
Filesystem (mount namespace; by default the host's / read-only, a private /tmp and
/run, fresh /proc, /sys and a minimal /dev; every mount nodev):
      --rootfs DIR         DIR as / (pivot_root) instead of the host's /
      --rw PATH            make a host path writable in the jail (--rw . for the
                           working directory)
      --bind SRC[:DST]     bind a host path into the jail, writable (DST created
                           inside --rootfs)
      --ro-bind SRC[:DST]  the same, read-only
      --tmpfs DST          an empty tmpfs on DST
      --ro                 --rootfs read-only (mounts under it keep their own mode)
Named jails:
      --name NAME          register the run: jail ps, jail enter NAME, jail stop NAME
Process:
      --cwd DIR            working directory
  -e, --env KEY=VALUE      set a variable (KEY alone: copy it from jail's environment)
      --clear-env          start from an empty environment
      --uid USER --gid GROUP   run as this user/group (names or numbers)
      --cap-drop CAPS      capabilities a root command must not have: all, or a list
                           such as NET_RAW,CHOWN (default: Docker's set of 14)
      --cap-add CAPS       capabilities to keep beyond the default (e.g. SYS_PTRACE);
                           all: every one (a root command can then leave the jail)
      --no-namespaces      without root: no namespaces at all, only the policy (where
                           user namespaces are not available)
      --require-isolation  refuse --no-namespaces
      --rlimit NAME=N      e.g. nofile=1024, core=0, nproc=64:128, as=unlimited
      --timeout SECONDS    then SIGTERM, and SIGKILL after --kill-after
      --kill-after SECONDS grace period after SIGTERM (timeout, forwarded signals; default 5)
Output:
  -v, --verbose            print each setup step
  -q, --quiet              print nothing of jail's own unless setup fails
  -h, --help
  -V, --version

Other commands (to run a program called ps, enter, stop or doctor, put -- before it):
  jail ps [--json]                      running named jails
  jail enter [options] NAME [-- CMD]    run CMD (default /bin/sh) inside a running jail
  jail stop NAME [--signal SIG] [--timeout S]
  jail doctor [--json]                  what jail can do here, and what is missing

Exit status: the command's; 128+N if signal N killed it; 125 jail failed; 126 the command
cannot be executed; 127 the command was not found.
`;

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** The smallest memory limit jail takes: below it a command is OOM-killed before it starts. */
export const MIN_MEMORY = 4 * 1024 ** 2;

/**
 * `256M`, `1.5g`, `512k`, `8388608` -> bytes (binary units, as docker and systemd). Refuses
 * sizes below MIN_MEMORY: `--memory 256` is 256 bytes, which no command survives, and almost
 * always meant 256M.
 */
export function parseSize(option: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) throw new JailUsageError(`${option} ${text}: expected a size like 256M, 1G or 1048576 (bytes)`);
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new JailUsageError(`${option} ${text}: out of range`);
  if (bytes < MIN_MEMORY) {
    const hint = m[2] === '' ? `; for ${m[1]} MiB write ${m[1]}M` : '';
    throw new JailUsageError(`${option} ${text}: ${bytes} bytes is too little to run a command (at least 4M)${hint}`);
  }
  return bytes;
}

function parsePositive(option: string, text: string, integer: boolean, min = 0): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v <= min || (integer && !Number.isInteger(v))) {
    throw new JailUsageError(`${option} ${text}: expected a positive ${integer ? 'integer' : 'number'}`);
  }
  return v;
}

/** A user or group: a number, or a name looked up in /etc/passwd or /etc/group. */
function lookupId(option: string, text: string, file: '/etc/passwd' | '/etc/group'): { id: number; gid?: number } {
  if (/^\d+$/.test(text)) {
    const id = Number(text);
    if (id > 0xfffffffe) throw new JailUsageError(`${option} ${text}: out of range`);
    const entry = readDb(file).find((f) => f[2] === text);
    return { id, gid: entry?.[3] !== undefined ? Number(entry[3]) : undefined };
  }
  const entry = readDb(file).find((f) => f[0] === text);
  if (!entry) throw new JailUsageError(`${option} ${text}: no such ${file === '/etc/passwd' ? 'user' : 'group'} in ${file}`);
  return { id: Number(entry[2]), gid: entry[3] !== undefined ? Number(entry[3]) : undefined };
}

function readDb(file: string): string[][] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.split(':'));
  } catch {
    return [];
  }
}

function isRoot(): boolean {
  return process.geteuid?.() === 0;
}

/**
 * `root`: running as root; `userns`: whether a user namespace can stand in for it (probed only
 * when not root). Tests pass both.
 */
export function parseJailOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  root = isRoot(),
  userns: () => UsernsSupport = probeUserNamespaces,
  delegation: (controllers: readonly Controller[]) => Delegation = (c) => delegatedCgroup(readCgroupMounts().v2, c),
): JailOptions {
  const mounts: RawMount[] = [];
  const spec = { ...JAIL_ARGS, ...fsArgs(mounts) };
  let a: arg.Result<typeof spec>;
  try {
    a = arg(spec, { argv: [...argv], permissive: false, stopAtPositional: true });
  } catch (e) {
    if (e instanceof Error && (e as { code?: string }).code?.startsWith('ARG_')) throw new JailUsageError(e.message);
    throw e;
  }
  const help = a['--help'] ?? false;
  const version = a['--version'] ?? false;
  const command = a._;
  if (!help && !version && command.length === 0) throw new JailUsageError('missing command: jail [options] -- COMMAND [ARGS...]');
  if (a['--verbose'] && a['--quiet']) throw new JailUsageError('--verbose and --quiet exclude each other');
  if (a['--policy'] !== undefined && a['--no-seccomp']) throw new JailUsageError('--policy and --no-seccomp exclude each other');
  const learn = a['--learn'];
  if (learn !== undefined) {
    const other = a['--policy'] !== undefined ? '--policy' : a['--no-seccomp'] ? '--no-seccomp' : a['--report-denials'] ? '--report-denials' : undefined;
    if (other) throw new JailUsageError(`--learn and ${other} exclude each other (--learn runs the command with a filter that records every call)`);
    if (!/\.m?ts$/.test(learn)) throw new JailUsageError(`--learn ${learn}: expected a .ts file to write the policy to`);
  }
  if (a['--report-denials'] && a['--no-seccomp']) throw new JailUsageError('--report-denials and --no-seccomp exclude each other');
  if (a['--report-denials'] && a['--no-report-denials']) throw new JailUsageError('--report-denials and --no-report-denials exclude each other');

  // Without root: namespaces inside a user namespace of one's own, or (--no-namespaces) none.
  let rootless: UsernsSupport | undefined;
  if (!root && !a['--no-namespaces']) {
    rootless = userns();
    if (!rootless.ok) throw new JailUsageError(`no namespaces without root here: ${rootless.why}; --no-namespaces runs with the seccomp policy only`);
  }
  if (root && a['--no-namespaces']) throw new JailUsageError('--no-namespaces is for users without root (as root use --no-pid, --no-mount, ...)');
  const isolated = root || rootless !== undefined;
  const base: Namespaces = isolated ? ALL_NAMESPACES : NO_NAMESPACES;
  const namespaces: Namespaces = {
    pid: base.pid && !a['--no-pid'],
    mount: base.mount && !a['--no-mount'],
    net: base.net && !a['--no-net'] && !a['--share-net'],
    uts: base.uts && !a['--no-uts'],
    ipc: base.ipc && !a['--no-ipc'],
    cgroup: base.cgroup,
  };
  if (a['--hostname'] !== undefined && !namespaces.uts) {
    throw new JailUsageError(isolated ? '--hostname needs the uts namespace (drop --no-uts)' : '--hostname needs a uts namespace (drop --no-namespaces)');
  }

  const memory = a['--memory'] !== undefined ? parseSize('--memory', a['--memory']) : undefined;
  let memorySwap: number | undefined;
  if (a['--memory-swap'] !== undefined) {
    if (memory === undefined) throw new JailUsageError('--memory-swap needs --memory');
    memorySwap = parseSize('--memory-swap', a['--memory-swap']);
    if (memorySwap < memory) throw new JailUsageError(`--memory-swap ${a['--memory-swap']}: less than --memory (it is memory plus swap)`);
  }
  const limits: CgroupLimits = {
    memory,
    memorySwap,
    cpus: a['--cpus'] !== undefined ? parsePositive('--cpus', a['--cpus'], false) : undefined,
    pids: a['--pids'] !== undefined ? parsePositive('--pids', a['--pids'], true) : undefined,
  };
  const limited = Object.entries(limits).filter(([, v]) => v !== undefined).map(([k]) => k);
  // Without root, limits need a cgroup v2 subtree delegated to the user.
  let delegated: string | undefined;
  if (limited.length > 0 && !root) {
    const option = `--${limited[0] === 'memorySwap' ? 'memory-swap' : limited[0]}`;
    if (!rootless) throw new JailUsageError(`${option} needs a cgroup (drop --no-namespaces)`);
    const d = delegation(neededControllers(limits));
    if (!d.ok) throw new JailUsageError(`${option} needs a cgroup: ${d.why}`);
    delegated = d.dir;
  }

  let rlimits: Rlimit[];
  try {
    rlimits = (a['--rlimit'] ?? []).map(parseRlimit);
  } catch (e) {
    if (e instanceof RlimitSyntaxError) throw new JailUsageError(e.message);
    throw e;
  }

  const warnings: string[] = [];
  let capabilities: number[] | undefined;
  try {
    const list = (option: '--cap-drop' | '--cap-add') => (a[option] ?? []).flatMap((t) => parseCapabilities(option, t));
    // Without namespaces the command has no capabilities: nothing to limit. In a rootless
    // jail they are those of the user namespace, limited the same way.
    if (isolated) capabilities = keptCapabilities(list('--cap-drop'), list('--cap-add'));
    if ((a['--cap-add'] ?? []).some((t) => t.trim().toLowerCase() === 'all')) {
      warnings.push('--cap-add all: the command keeps every capability of root (mount, ptrace, modules...): a root command can leave the jail');
    }
  } catch (e) {
    if (e instanceof CapabilityError) throw new JailUsageError(e.message);
    throw e;
  }
  if ((a['--cap-drop'] !== undefined || a['--cap-add'] !== undefined) && !isolated) {
    throw new JailUsageError(`${a['--cap-drop'] !== undefined ? '--cap-drop' : '--cap-add'} needs namespaces (with --no-namespaces the command has no capabilities to drop)`);
  }
  if (!isolated) {
    if (a['--require-isolation']) throw new JailUsageError('--require-isolation and --no-namespaces exclude each other');
    warnings.push('--no-namespaces: no namespaces, cgroup or filesystem isolation; only the seccomp policy applies');
  }

  const user = a['--uid'] !== undefined ? lookupId('--uid', a['--uid'], '/etc/passwd') : undefined;
  const group = a['--gid'] !== undefined ? lookupId('--gid', a['--gid'], '/etc/group') : undefined;
  const uid = user?.id;
  const gid = group?.id ?? (user ? (user.gid ?? user.id) : undefined);
  // A rootless jail maps the caller to 0 and no one else: there is no other id to become.
  if (rootless && ((uid !== undefined && uid !== 0) || (gid !== undefined && gid !== 0))) {
    throw new JailUsageError(`${uid !== undefined && uid !== 0 ? '--uid' : '--gid'}: without root only 0 (you) exists in the jail's user namespace`);
  }

  const vars = new Map<string, string>();
  if (!a['--clear-env']) for (const [k, v] of Object.entries(env)) if (v !== undefined) vars.set(k, v);
  for (const e of a['--env'] ?? []) {
    const eq = e.indexOf('=');
    if (eq === 0) throw new JailUsageError(`--env ${e}: expected KEY=VALUE or KEY`);
    if (eq < 0) {
      if (env[e] !== undefined) vars.set(e, env[e]!);
    } else vars.set(e.slice(0, eq), e.slice(eq + 1));
  }

  let fs;
  try {
    fs = parseFsOptions({ rootfs: a['--rootfs'], mounts, readOnly: a['--ro'] ?? false }, namespaces.mount, isolated, process.cwd(), [stateDir(env)]);
    if (a['--name'] !== undefined) checkJailName(a['--name']);
  } catch (e) {
    if (e instanceof FsOptionError || e instanceof JailNameError) throw new JailUsageError(e.message);
    throw e;
  }

  const timeout = a['--timeout'] !== undefined ? parsePositive('--timeout', a['--timeout'], false) : undefined;
  const killAfter = a['--kill-after'] !== undefined ? parsePositive('--kill-after', a['--kill-after'], false, -1) : 5;

  return {
    help,
    version,
    quiet: a['--quiet'] ?? false,
    policy: a['--no-seccomp'] || learn !== undefined ? undefined : (a['--policy'] ?? 'default'),
    ...(learn !== undefined ? { learn } : {}),
    reportDenials: (a['--report-denials'] ?? false) || ((a['--verbose'] ?? false) && learn === undefined && !a['--no-seccomp'] && !a['--no-report-denials']),
    ...(a['--load-timeout'] !== undefined ? { loadTimeout: parsePositive('--load-timeout', a['--load-timeout'], false) } : {}),
    texts: { memory: a['--memory'], pids: a['--pids'], cpus: a['--cpus'] },
    name: a['--name'],
    warnings,
    spec: {
      argv: command,
      env: [...vars].map(([k, v]) => `${k}=${v}`),
      cwd: a['--cwd'],
      // The host's tree keeps its paths in the jail: start where the caller is, if it can.
      defaultCwd: a['--cwd'] === undefined && fs !== undefined && fs.rootfs === undefined ? process.cwd() : undefined,
      namespaces,
      hostname: a['--hostname'] ?? 'jail',
      limits,
      cgroup: root || delegated !== undefined,
      rootless,
      ...(delegated !== undefined ? { delegatedCgroup: delegated } : {}),
      rlimits,
      uid,
      gid,
      capabilities,
      timeout,
      killAfter,
      verbose: a['--verbose'] ?? false,
      fs,
    },
  };
}
