/**
 * `jail`: runs a command in namespaces, under cgroup limits and a seccomp policy (the
 * supervisor; see src/launcher/supervisor.ts for the process layout). Exit codes follow
 * `docker run`: the command's own, 128+N for signal N, 125 for jail's own errors, 126 not
 * executable, 127 not found. Prints at most one line of its own when the sandbox stopped the
 * command (and --verbose setup steps).
 * `jail ps`, `jail enter` and `jail stop` are subcommands in modules of their own, loaded only
 * for them; `--name` registers the run for them (src/launcher/registry/registry.ts).
 */
import { existsSync } from 'node:fs';
import { processIO, type CliIO } from '../io.js';
import { restoreSetAsideEnv } from './jail-env.js';
import { describeSeccompKill } from './jail-seccomp-report.js';
import { JAIL_USAGE, JailUsageError, parseJailOptions, type JailOptions } from './jail-options.js';
import { LaunchError } from '../../launcher/launch-error.js';
import { claimName, namespaceIds, processId, selfId, sweepStale, type Claim } from '../../launcher/registry/registry.js';
import { resolvePolicy } from '../../launcher/seccomp/policy-source.js';
import { runJail, type JailResult, type StopReason, type SupervisorHooks } from '../../launcher/supervisor.js';
import type { JailSpec, NsName, SeccompFilter } from '../../launcher/spec.js';

/** Subcommands: `jail ps`, `jail enter NAME`, `jail stop NAME`, `jail doctor` (`jail -- ps` runs a program called ps). */
/** Calls the tables do not name, listed after a --learn run; the rest are counted. */
const UNKNOWN_SHOWN = 20;

const SUBCOMMANDS: Readonly<Record<string, () => Promise<(argv: readonly string[], io: CliIO) => Promise<number>>>> = {
  ps: async () => (await import('./jail-ps.js')).main,
  enter: async () => (await import('./jail-enter.js')).main,
  stop: async () => (await import('./jail-stop.js')).main,
  doctor: async () => (await import('./jail-doctor.js')).main,
};

/** The namespaces a run has of its own, under their /proc/PID/ns names. */
function ownNamespaces(spec: JailSpec): NsName[] {
  const ns = spec.namespaces;
  return [ns.ipc && 'ipc', ns.uts && 'uts', ns.net && 'net', ns.pid && 'pid', ns.mount && 'mnt', ns.cgroup && 'cgroup'].filter((n): n is NsName => n !== false);
}

/** Claims `--name` and returns the hook that records the command once it runs. */
function register(name: string, spec: JailSpec, err: (line: string) => void): { claim: Claim; started: NonNullable<SupervisorHooks['started']> } {
  const claim = claimName(
    {
      name,
      state: 'starting',
      supervisor: selfId(),
      namespaces: {},
      policy: spec.filter?.name,
      argv: spec.argv,
      started: Date.now(),
      limits: spec.limits,
      hostname: spec.hostname,
      rootfs: spec.fs?.rootfs,
      rlimits: spec.rlimits,
      uid: spec.uid,
      gid: spec.gid,
      capabilities: spec.capabilities,
      ...(spec.rootless ? { rootless: true } : {}),
    },
    spec.filter?.bytes,
  );
  const started: NonNullable<SupervisorHooks['started']> = ({ pid, cgroup }) => {
    try {
      claim.update({
        state: 'running',
        command: processId(pid),
        namespaces: namespaceIds(pid, ownNamespaces(spec)),
        cgroup: cgroup && { version: cgroup.version, dirs: cgroup.dirs, procsFiles: cgroup.procsFiles },
      });
    } catch (e) {
      err(`register jail: cannot update ${claim.path}: ${(e as Error).message}`);
    }
  };
  return { claim, started };
}

/** A hint when the command exists on the host but not in the jail's filesystem. */
function missingInJail(error: { readonly exitCode: number }, spec: JailSpec): string {
  const file = spec.argv[0] ?? '';
  if (error.exitCode !== 127 || spec.fs === undefined || !file.startsWith('/') || !existsSync(file)) return '';
  return spec.fs.rootfs !== undefined
    ? ` (it is a host path: --rootfs ${spec.fs.rootfs} is the jail's /; bind it in with --ro-bind ${file})`
    : ` (it exists on the host, but the jail's /tmp and /run are its own: bind it in with --ro-bind ${file})`;
}

async function describe(reason: StopReason, opts: JailOptions, spec: JailSpec): Promise<string | undefined> {
  switch (reason.kind) {
    case 'memory':
      return reason.commandKilled
        ? `killed by the memory limit (${opts.texts.memory}): out of memory`
        : `the memory limit (${opts.texts.memory}) killed ${reason.oomKills} process${reason.oomKills > 1 ? 'es' : ''}: out of memory`;
    case 'pids':
      return `the pids limit (${opts.texts.pids}) refused ${reason.refused} fork${reason.refused > 1 ? 's' : ''}`;
    case 'timeout':
      // A command may handle (or, as PID 1, ignore) SIGTERM and then end by itself.
      if (reason.exited !== undefined) return `the timeout (${reason.seconds}s) sent SIGTERM; the command then exited with status ${reason.exited}`;
      return `killed by the timeout (${reason.seconds}s)${reason.escalated ? `: it ignored SIGTERM, SIGKILL after ${spec.killAfter}s` : ''}`;
    case 'signal':
      if (reason.beforeStart) return `interrupted by ${reason.signal} before the command started`;
      return reason.escalated ? `the command ignored ${reason.signal}: SIGKILL after ${spec.killAfter}s` : undefined;
    case 'seccomp':
      return describeSeccompKill(spec.filter?.name, reason);
  }
}

/** The filter and notification mode for --learn and the denial report (the syscall tables load only for them). */
async function notifyFor(
  opts: JailOptions,
  filter: SeccompFilter | undefined,
  log: (step: string, detail: string) => void,
): Promise<{ filter: SeccompFilter; notify: NonNullable<JailSpec['notify']> } | undefined> {
  if (opts.learn === undefined && !(opts.reportDenials && filter)) return undefined;
  const [{ hostArch, compatArches }, { argumentSelectors }] = await Promise.all([import('../../syscalls/index.js'), import('../../learn/arguments.js')]);
  const selectors = argumentSelectors(compatArches(hostArch()));
  const { denialFilter, learnFilter } = await import('../../launcher/seccomp/notify-filter.js');
  if (opts.learn !== undefined) {
    const bytes = learnFilter();
    return { filter: { name: 'learn', bytes }, notify: { mode: 'learn', selectors, filter: bytes } };
  }
  // A filter whose errno returns cannot be found (one returning A) runs without the report.
  let denials;
  try {
    denials = denialFilter('policy', filter!.name, filter!.bytes);
  } catch (e) {
    log('denial report', (e as Error).message);
    return undefined;
  }
  if (denials.errnoReturns === 0) return undefined;
  return { filter: filter!, notify: { mode: 'denials', selectors, filter: denials.bytes } };
}

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const err = (line: string) => io.stderr.write(`jail: ${line}\n`);
  const sub = argv[0] !== undefined ? SUBCOMMANDS[argv[0]] : undefined;
  if (sub) return (await sub())(argv.slice(1), io);
  let opts: JailOptions;
  try {
    opts = parseJailOptions(argv);
  } catch (e) {
    if (e instanceof JailUsageError) {
      err(`${e.message} (see jail --help)`);
      return 125;
    }
    throw e;
  }
  if (opts.help) {
    io.stdout.write(JAIL_USAGE);
    return 0;
  }
  if (opts.version) {
    const { packageVersion } = await import('../../launcher/package-version.js');
    io.stdout.write(`jail (seccompile) ${packageVersion()}\n`);
    return 0;
  }
  if (!opts.quiet) for (const w of opts.warnings) err(`warning: ${w}`);
  const log = opts.spec.verbose ? (step: string, detail: string) => err(`${step}: ${detail}`) : () => {};
  let result: JailResult;
  let spec: JailSpec;
  let claim: Claim | undefined;
  try {
    // Entries of jails killed with SIGKILL go on every run (a readdir when there are none).
    const swept = sweepStale();
    if (swept.length > 0) log('sweep stale jails', swept.join(' '));
    spec = opts.spec;
    let started: SupervisorHooks['started'];
    // Runs while the init stage's Node starts (src/launcher/supervisor.ts).
    const prepare = async () => {
      // A policy module runs in a worker: a signal meanwhile (the run then ends) also ends its load.
      const loading = new AbortController();
      const abort = () => loading.abort();
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const) process.once(s, abort);
      let filter;
      try {
        filter = opts.policy !== undefined ? await resolvePolicy(opts.policy, { signal: loading.signal, ...(opts.loadTimeout !== undefined ? { timeout: opts.loadTimeout } : {}) }) : undefined;
      } finally {
        for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const) process.off(s, abort);
      }
      if (filter) log('policy', `${filter.name}: ${filter.bytes.length / 8} instructions`);
      const notify = await notifyFor(opts, filter, log);
      if (notify) ({ filter } = notify);
      spec = { ...opts.spec, filter, ...(notify ? { notify: notify.notify } : {}) };
      if (opts.name !== undefined) ({ claim, started } = register(opts.name, spec, err));
      return filter;
    };
    result = await runJail(opts.spec, { log, prepare, started: (run) => started?.(run), notify: () => spec.notify });
  } catch (e) {
    if (e instanceof LaunchError) {
      err(e.message);
      return e.exitCode;
    }
    throw e;
  } finally {
    claim?.release();
  }
  if (result.setupError) {
    err(result.setupError.message + missingInJail(result.setupError, spec));
    return result.exitCode;
  }
  if (!opts.quiet) {
    for (const r of result.reasons) {
      const line = await describe(r, opts, spec);
      if (line) err(line);
    }
  }
  const notified = result.notified;
  if (notified?.mode === 'error') err(`${opts.learn ? 'learn' : 'denial report'}: ${notified.message}`);
  if (notified?.mode === 'denials' && !opts.quiet) {
    const { denialReport } = await import('./jail-denials.js');
    for (const line of await denialReport(spec.filter?.name ?? '?', notified.denials, result, notified.uncounted)) err(line);
  }
  if (opts.learn !== undefined) {
    if (notified?.mode !== 'learn') {
      err(`--learn: nothing was recorded${result.exitCode === 125 ? '' : ' (the command did not start under the learn filter)'}; ${opts.learn} not written`);
      return result.exitCode === 0 ? 125 : result.exitCode;
    }
    const { casesFileOf, writeLearned } = await import('./jail-learn.js');
    try {
      const s = await writeLearned(opts.learn, opts.spec.argv, notified.calls, notified.total);
      if (!opts.quiet) {
        err(`learned ${s.seen} distinct calls (${notified.total} in all)${s.merged ? `, ${s.written} with the earlier runs` : ''}: wrote ${opts.learn} and ${casesFileOf(opts.learn)}`);
        // The numbers come from the command: a few are shown, however many it made up.
        const shown = s.unknown.slice(0, UNKNOWN_SHOWN).join(', ');
        const more = s.unknown.length > UNKNOWN_SHOWN ? ` and ${s.unknown.length - UNKNOWN_SHOWN} more` : '';
        if (s.unknown.length > 0) err(`calls the syscall tables do not name (not in the policy): ${shown}${more}`);
        if (notified.unrecorded > 0) {
          err(`${notified.unrecorded} calls were not recorded: the command made more distinct calls than jail keeps (not in the policy)`);
        }
      }
    } catch (e) {
      err(`--learn: cannot write ${opts.learn}: ${(e as Error).message}`);
      return 125;
    }
  }
  return result.exitCode;
}

if (process.argv[1] && /jail(\.js|\.ts)?$/.test(process.argv[1])) {
  restoreSetAsideEnv();
  main(process.argv.slice(2), processIO).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`jail: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 125;
    },
  );
}
