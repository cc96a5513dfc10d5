/**
 * The supervisor: the `jail` process itself. It starts the init stage in a new pid namespace
 * first, prepares what must exist before the command (policy, cgroup) while that Node starts,
 * forwards signals, enforces the timeout, and afterwards says why the command ended and
 * removes everything it created.
 *
 * Process layout (one Node start for the supervisor, one for the init stage, no more):
 *
 *   jail (supervisor, host namespaces)
 *    └─ node dist/cli/jail-init.cjs   PID 1 of a new pid namespace; unshares mount/net/uts/ipc,
 *         │                          sets up, joins the cgroup, installs the filter, and
 *         └─ execve(command)         becomes the command (still PID 1, still our child).
 *
 * The channel is the init's fd 3 (a socketpair): the supervisor sends the InitConfig as one
 * JSON line; the init answers with one JSON line if setup or execve fails, while a successful
 * execve closes it (close-on-exec) without a word. The init stage does nothing before its
 * configuration arrives, so a policy or cgroup error still ends the run before anything of
 * the user's has run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { endianness, constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { createCgroup, neededControllers, planCgroup, processStartTime, readCgroupMounts, sweepStaleCgroups, type Cgroup } from './cgroups/cgroups.js';
import { stepAside } from './cgroups/cgroup-delegated.js';
import type { SeccompKillRecord } from './kill-report/audit-record.js';
import { errno, libc } from './ffi.js';
import { LaunchError, setupError, syscallError, type LaunchErrorData } from './launch-error.js';
import { PR_SET_CHILD_SUBREAPER, PR_SET_DUMPABLE } from './linux.js';
import { inPidNamespaceOf } from './init/enter.js';
import { inNewPidNamespace } from './init/namespaces.js';
import { killOrphans, startWatchdog } from './orphans.js';
import { packageRoot } from './package-root.js';
import { onlyChild, rootlessEnterLauncher, rootlessLauncher } from './userns.js';
import { startSeccompKillReport, type SeccompKillReport } from './kill-report/seccomp-kill.js';
import { EXEC_LINE, NOTIFY_LINE, commandSpec, type InitConfig, type JailSpec, type SeccompFilter } from './spec.js';
import { takeListener } from './seccomp/notify-fd.js';
import { startNotifySession, type NotifySession, type NotifyWorkerOutput } from './seccomp/notify-session.js';
import { hostAuditArch } from './seccomp/policy-check.js';
import { syscallNumber } from './linux.js';

/** Why the sandbox (not the command itself) ended or hindered the run. */
export type StopReason =
  | { readonly kind: 'memory'; readonly oomKills: number; readonly commandKilled: boolean }
  | { readonly kind: 'pids'; readonly refused: number }
  /** `exited`: the status the command exited with by itself after the SIGTERM (nothing killed it). */
  | { readonly kind: 'timeout'; readonly seconds: number; readonly escalated: boolean; readonly exited?: number }
  /** `beforeStart`: it came while jail was still setting up; the command never ran. */
  | { readonly kind: 'signal'; readonly signal: NodeJS.Signals; readonly escalated: boolean; readonly beforeStart?: boolean }
  | { readonly kind: 'seccomp'; readonly record?: SeccompKillRecord; readonly why?: string };

export interface JailResult {
  /** The status jail exits with. */
  readonly exitCode: number;
  /** How the command (or the init stage) ended. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** A setup failure reported by the init stage (exit 125/126/127). */
  readonly setupError?: LaunchErrorData;
  readonly reasons: readonly StopReason[];
  /** What the notification worker saw (JailSpec.notify). */
  readonly notified?: NotifyWorkerOutput;
}

export interface SupervisorHooks {
  /** --verbose lines ("step: detail"). */
  readonly log: (step: string, detail: string) => void;
  /**
   * Work done while the init stage's Node starts (reading and checking the policy, claiming
   * --name): called once the init stage is spawned, before it gets its configuration; returns
   * the filter to install in place of `spec.filter`. A throw ends the init stage before it
   * has run anything of the user's and fails the run with that error.
   */
  readonly prepare?: () => Promise<SeccompFilter | undefined>;
  /** After `prepare`: how the filter's notifications are answered, in place of `spec.notify`. */
  readonly notify?: () => JailSpec['notify'];
  /**
   * Called once the command runs: the init stage's execve closed the status channel without
   * a word. `pid` is the command's pid as the host sees it (for `jail --name`).
   */
  readonly started?: (run: { readonly pid: number; readonly cgroup?: Cgroup }) => void;
}

const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/** Where the init stage's bundle is (built by scripts/build.mjs next to jail.js). */
export function initScript(): string {
  return join(packageRoot(), 'dist', 'cli', 'jail-init.cjs');
}

function initConfig(spec: JailSpec, cgroup: Cgroup | undefined): InitConfig {
  return {
    ...commandSpec(spec),
    cgroupProcs: cgroup?.lateProcsFiles ?? spec.enter?.cgroupProcs ?? [],
    ...(spec.rootless ? { stderrFd: 4, announceExec: true } : {}),
    filter: spec.filter ? Buffer.from(notifyingFilter(spec) ?? spec.filter.bytes).toString('base64') : undefined,
    ...(notifyingFilter(spec) ? { notify: true } : {}),
  };
}

/** The filter the init stage installs when the supervisor answers its calls (made by whoever set spec.notify). */
function notifyingFilter(spec: JailSpec): Uint8Array | undefined {
  return spec.notify && spec.filter && !spec.enter ? spec.notify.filter : undefined;
}

/**
 * Once the init stage says it installs a filter with a listener: takes the listener, starts
 * the worker that answers it, then lets the init stage go on. A failure ends the init stage.
 */
function answerNotifications(spec: JailSpec, init: InitStage, hooks: SupervisorHooks): Promise<NotifySession | undefined> {
  const notify = spec.notify;
  if (!notify || !notifyingFilter(spec)) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    let said = false;
    const onData = () => {
      if (said || !init.status().includes(NOTIFY_LINE)) return;
      said = true;
      init.child.stdio[3]?.off('data', onData);
      void (async () => {
        const pid = init.target();
        if (pid === undefined) throw setupError('seccomp listener', 'the init stage is gone');
        const fd = await takeListener('seccomp listener', pid);
        hooks.log('seccomp listener', `${notify.mode}: fd ${fd}, taken from pid ${pid}`);
        const session = await startNotifySession({
          mode: notify.mode,
          fd,
          initPid: pid,
          execveNr: syscallNumber('execve') ?? -1,
          nativeArch: hostAuditArch() ?? 0,
          selectors: notify.selectors,
          endian: endianness() === 'LE' ? 'little' : 'big',
          ...(notify.mode === 'denials' ? { program: Buffer.from(spec.filter!.bytes).toString('base64') } : {}),
        });
        (init.child.stdio[3] as Writable | null)?.write('g');
        return session;
      })().then(resolve, (e: unknown) => {
        init.child.kill('SIGKILL');
        const target = init.target();
        if (target !== undefined && target !== init.child.pid) process.kill(target, 'SIGKILL');
        reject(e);
      });
    };
    init.child.stdio[3]?.on('data', onData);
    // An init stage that fails (or execs) before installing never says it.
    void init.ended.then(
      () => !said && resolve(undefined),
      () => !said && resolve(undefined),
    );
  });
}

function setUpCgroup(spec: JailSpec, hooks: SupervisorHooks): Cgroup | undefined {
  if (!spec.cgroup) return undefined;
  // Without root: under the delegated cgroup, as if it were the hierarchy's root (no device
  // program: loading one needs privileges a user namespace does not give).
  const mounts = spec.delegatedCgroup !== undefined ? { v2: spec.delegatedCgroup, v1: new Map<string, string>() } : readCgroupMounts();
  const removed = sweepStaleCgroups(mounts);
  if (removed.length > 0) hooks.log('sweep stale cgroups', removed.join(' '));
  const plan =
    spec.delegatedCgroup !== undefined
      ? ({ version: 2, root: spec.delegatedCgroup, controllers: neededControllers(spec.limits) } as const)
      : planCgroup(mounts, spec.limits, true);
  const cgroup = createCgroup(plan, spec.limits);
  hooks.log('create cgroup', `v${cgroup.version} ${cgroup.dirs.join(' ')}`);
  return cgroup;
}

interface InitStage {
  readonly child: ChildProcess;
  /** The init stage's pid (later the command's): the child, or in a rootless run unshare's child. */
  target(): number | undefined;
  /** Resolves when the init stage (or the command it became) has ended; rejects if it could not start. */
  readonly ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What the init stage wrote on the status channel (nothing when execve succeeded). */
  status(): string;
  /** What unshare and setpriv said (rootless runs). */
  helperOutput(): string;
}

function spawnInit(spec: JailSpec): InitStage {
  const argv = [process.execPath, initScript()];
  const { file, args } = !spec.rootless
    ? { file: argv[0]!, args: argv.slice(1) }
    : spec.enter
      ? rootlessEnterLauncher(spec.rootless, spec.enter.pid, argv)
      : rootlessLauncher(spec.rootless, argv, spec.namespaces.pid);
  // Node options of the user's environment must not reach the init stage's Node.
  // A rootless run's fd 2 is a pipe until the init stage has its configuration (it then takes
  // jail's stderr from fd 4), so that what unshare says at the end reaches jail, not the user.
  const start = () =>
    spawn(file, args, {
      stdio: spec.rootless ? ['inherit', 'inherit', 'pipe', 'pipe', 2] : ['inherit', 'inherit', 'inherit', 'pipe'],
      env: {},
      // A session of its own: terminal signals reach only jail, which forwards them once.
      detached: true,
    });
  const child = spec.enter?.namespaces.includes('pid') && !spec.rootless
    ? inPidNamespaceOf('enter pid namespace', spec.enter, start)
    : spec.namespaces.pid && !spec.enter && !spec.rootless
      ? inNewPidNamespace('unshare pid namespace', start)
      : start();
  // Behind unshare --fork (or nsenter --pid) the init stage is the helper's child; otherwise the child itself.
  let target: number | undefined = spec.rootless && (spec.namespaces.pid || spec.enter) ? undefined : child.pid;
  // Listeners from the start: the run prepares (awaits) before it supervises.
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', (e) => reject(setupError('spawn init', e.message)));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  ended.catch(() => {}); // observed by supervise() or abandon()
  let status = '';
  child.stdio[3]?.on('data', (d: Buffer) => (status += d.toString()));
  // A peer that dies with our configuration unread resets the channel: how it ended says the rest.
  child.stdio[3]?.on('error', () => {});
  child.stdio[2]?.on('error', () => {});
  let helper = '';
  child.stdio[2]?.on('data', (d: Buffer) => (helper += d.toString()));
  return {
    child,
    ended,
    status: () => status,
    helperOutput: () => helper,
    target: () => (target ??= child.pid !== undefined ? onlyChild(child.pid) : undefined),
  };
}

/**
 * Sends the configuration. It goes through the status channel, not argv: argv is readable by
 * every user in /proc/PID/cmdline (the environment may hold secrets) and one argument is
 * limited to 128 KiB (MAX_ARG_STRLEN).
 */
function sendConfig(init: InitStage, config: InitConfig): void {
  (init.child.stdio[3] as Writable | null)?.write(JSON.stringify(config) + '\n');
}

/** Ends an init stage that has not had its configuration (it has run nothing of the user's). */
async function abandon(init: InitStage): Promise<void> {
  // In a rootless run the init stage is unshare's child: killed first, while it can be found.
  const target = init.target();
  if (target !== undefined && target !== init.child.pid) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // Gone, or not forked yet (then unshare's death means it never will be).
    }
  }
  init.child.kill('SIGKILL');
  // Whatever is left waits for its configuration: end-of-file ends it.
  (init.child.stdio[3] as { destroy?: () => void } | null)?.destroy?.();
  await init.ended.catch(() => {});
}

/**
 * Moves the init stage into the cgroup's limit-free hierarchies while its Node starts (see
 * `Cgroup.earlyProcsFiles`), off the main thread: the write waits out an RCU grace period.
 */
async function joinEarly(cgroup: Cgroup | undefined, pid: number | undefined, hooks: SupervisorHooks): Promise<void> {
  if (!cgroup || pid === undefined) return;
  for (const file of cgroup.earlyProcsFiles) {
    hooks.log('join cgroup', `init stage (pid ${pid}) -> ${file}`);
    try {
      await writeFile(file, String(pid));
    } catch (e) {
      // Already gone: supervise() reports how it ended.
      if ((e as { code?: string }).code === 'ESRCH') return;
      throw setupError(`join cgroup (${file})`, (e as Error).message);
    }
  }
}

/**
 * The supervisor keeps the host's privileges while the command runs: it is made non-dumpable
 * (no ptrace or /proc/PID/mem from processes of the same user, such as an unprivileged
 * command), and without a pid namespace a child subreaper, so that what the command leaves
 * behind is re-parented to jail, not to the host's init (and is killed at the end).
 */
function guardSupervisor(spec: JailSpec, hooks: SupervisorHooks): void {
  const c = libc();
  if (c.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) !== 0) throw syscallError('guard supervisor', 'prctl(PR_SET_DUMPABLE)', errno());
  if (!spec.namespaces.pid && !spec.enter) {
    hooks.log('child subreaper', "no pid namespace: the command's orphans stay jail's children");
    if (c.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) !== 0) throw syscallError('guard supervisor', 'prctl(PR_SET_CHILD_SUBREAPER)', errno());
  }
}

/** Runs the command per `spec`; resolves when it has ended and everything is cleaned up. */
export async function runJail(spec: JailSpec, hooks: SupervisorHooks): Promise<JailResult> {
  guardSupervisor(spec, hooks);
  if (spec.delegatedCgroup !== undefined) {
    hooks.log('delegated cgroup', `jail moves into its own child of ${spec.delegatedCgroup}`);
    stepAside(spec.delegatedCgroup, processStartTime('self') ?? '0');
  }
  hooks.log(
    'spawn init',
    spec.enter ? `in the pid namespace of ${spec.enter.pid}` : spec.namespaces.pid ? 'in a new pid namespace' : 'in the host pid namespace',
  );
  // The init stage's Node start is the longest wait of a run: it goes first, and the rest of
  // the setup happens meanwhile. It waits for its configuration before doing anything.
  const init = spawnInit(spec);
  let cgroup: Cgroup | undefined;
  let watchdog: ChildProcess | undefined;
  const orphansPossible = !spec.namespaces.pid && !spec.enter;
  let killReport: SeccompKillReport | undefined;
  // A signal while preparing (a .ts policy may take a while to compile) ends the run cleanly:
  // the init stage, which has run nothing yet, is killed and the cgroup removed.
  let interrupted: NodeJS.Signals | undefined;
  const onEarlySignal = (signal: NodeJS.Signals) => {
    interrupted ??= signal;
    hooks.log('interrupted', `${signal} during setup: ending the init stage`);
    init.child.kill('SIGKILL');
  };
  for (const s of FORWARDED) process.on(s, onEarlySignal);
  try {
    let ready: JailSpec;
    try {
      cgroup = setUpCgroup(spec, hooks);
      if (cgroup && orphansPossible) watchdog = startWatchdog(cgroup.dirs);
      const [prepared, joined] = await Promise.allSettled([
        hooks.prepare ? hooks.prepare() : Promise.resolve(spec.filter),
        joinEarly(cgroup, init.child.pid, hooks),
      ]);
      if (interrupted) {
        await abandon(init);
        const reasons: StopReason[] = [{ kind: 'signal', signal: interrupted, escalated: false, beforeStart: true }];
        return { exitCode: 128 + (osConstants.signals[interrupted] ?? 0), code: null, signal: interrupted, reasons };
      }
      if (prepared.status === 'rejected') throw prepared.reason;
      if (joined.status === 'rejected') throw joined.reason;
      const notify = hooks.notify ? hooks.notify() : spec.notify;
      ready = { ...spec, filter: prepared.value, ...(notify ? { notify } : {}) };
      // Before the command exists, so that its audit record cannot be missed.
      if (ready.filter) killReport = startSeccompKillReport(hooks.log);
    } catch (e) {
      await abandon(init);
      throw e;
    } finally {
      for (const s of FORWARDED) process.off(s, onEarlySignal);
    }
    if (init.child.pid !== undefined && !spec.rootless) killReport?.watch(init.child.pid);
    const notifying = answerNotifications(ready, init, hooks);
    notifying.catch(() => {});
    sendConfig(init, initConfig(ready, cgroup));
    const result = await supervise(ready, init, cgroup, hooks, killReport);
    let session: NotifySession | undefined;
    try {
      session = await notifying;
    } catch (e) {
      if (result.setupError) return result;
      const error = e instanceof LaunchError ? e : setupError('seccomp listener', (e as Error).message);
      return { ...result, exitCode: error.exitCode, setupError: error.toJSON() };
    }
    return session ? { ...result, notified: await session.finish() } : result;
  } finally {
    killReport?.close();
    if (orphansPossible) {
      const killed = killOrphans();
      if (killed > 0) hooks.log('kill orphans', `${killed} process${killed > 1 ? 'es' : ''} the command left behind`);
    }
    watchdog?.kill('SIGKILL');
    if (cgroup) {
      cgroup.destroy();
      hooks.log('remove cgroup', cgroup.dirs.join(' '));
    }
  }
}

async function supervise(spec: JailSpec, init: InitStage, cgroup: Cgroup | undefined, hooks: SupervisorHooks, killReport?: SeccompKillReport): Promise<JailResult> {
  const { child } = init;
  const reasons: StopReason[] = [];
  // The channel closes when the init stage exec()s the command (or exits). A signal for the
  // command that comes before that waits: the init stage is Node, as PID 1 it would ignore it.
  let started = false;
  let pending: NodeJS.Signals | undefined;
  const send = (signal: NodeJS.Signals) => {
    try {
      const pid = init.target();
      if (pid !== undefined) process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  };
  const onStarted = () => {
    if (started) return;
    started = true;
    if (pending) send(pending);
    const pid = init.target();
    if (spec.rootless && pid !== undefined) killReport?.watch(pid);
    if (parseStatus(init.status()) === undefined && pid !== undefined) hooks.started?.({ pid, cgroup });
  };
  child.stdio[3]?.on('close', onStarted);
  // In a rootless run unshare holds the channel open too: the init stage says when it execs.
  if (spec.rootless) child.stdio[3]?.on('data', () => init.status().includes(EXEC_LINE) && onStarted());

  let killTimer: NodeJS.Timeout | undefined;
  let escalated = false;
  const stop = (signal: NodeJS.Signals) => {
    if (started) send(signal);
    else pending = signal;
    // PID 1 of a pid namespace ignores signals it has no handler for; so may any command.
    killTimer ??= setTimeout(() => {
      escalated = true;
      send('SIGKILL');
    }, spec.killAfter * 1000);
  };
  let forwarded: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    forwarded ??= signal;
    hooks.log('forward signal', signal);
    stop(signal);
  };
  for (const s of FORWARDED) process.on(s, onSignal);
  let timedOut = false;
  const timeoutTimer =
    spec.timeout !== undefined
      ? setTimeout(() => {
          timedOut = true;
          hooks.log('timeout', `${spec.timeout}s: SIGTERM, SIGKILL after ${spec.killAfter}s`);
          stop('SIGTERM');
        }, spec.timeout * 1000)
      : undefined;

  const ended = await init.ended;
  let { code, signal } = ended;
  for (const s of FORWARDED) process.off(s, onSignal);
  if (spec.rootless) {
    const said = init.helperOutput().trim();
    // util-linux unshare cannot pass on a SIGKILL (it tries to unblock it to re-raise it,
    // which fails): it then exits 1 and says so.
    if (code === 1 && /sigprocmask unblock failed/.test(said)) ({ code, signal } = { code: null, signal: 'SIGKILL' });
    else if (said !== '' && parseStatus(init.status()) === undefined) {
      return { exitCode: 125, code, signal, setupError: setupError('user namespace', said.split('\n')[0]!).toJSON(), reasons };
    }
  }
  clearTimeout(timeoutTimer);
  clearTimeout(killTimer);

  const setupFailure = parseStatus(init.status());
  if (setupFailure) return { exitCode: setupFailure.exitCode, code, signal, setupError: setupFailure, reasons };

  if (timedOut) reasons.push({ kind: 'timeout', seconds: spec.timeout!, escalated, ...(signal === null && code !== null ? { exited: code } : {}) });
  else if (forwarded) reasons.push({ kind: 'signal', signal: forwarded, escalated });
  if (cgroup) {
    const events = cgroup.events();
    if (events.oomKills > 0) reasons.push({ kind: 'memory', oomKills: events.oomKills, commandKilled: signal === 'SIGKILL' });
    if (events.pidsRefused > 0) reasons.push({ kind: 'pids', refused: events.pidsRefused });
  }
  if (signal === 'SIGSYS' && killReport) reasons.push({ kind: 'seccomp', ...killReport.find() });
  const exitCode = signal !== null ? 128 + (osConstants.signals[signal] ?? 0) : (code ?? 125);
  return { exitCode, code, signal, reasons };
}

function parseStatus(text: string): LaunchErrorData | undefined {
  const line = text.split('\n').find((l) => l.trim() !== '' && l !== EXEC_LINE && l !== NOTIFY_LINE);
  if (line === undefined) return undefined;
  try {
    return JSON.parse(line) as LaunchErrorData;
  } catch {
    return new LaunchError({ step: 'init', message: `init stage: unreadable status ${JSON.stringify(line)}`, exitCode: 125 }).toJSON();
  }
}
