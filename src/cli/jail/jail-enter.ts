/**
 * `jail enter [options] NAME [--] [COMMAND [ARGS...]]`: runs a command inside a running named
 * jail, as `nsenter` or `docker exec` would: in its pid, mount (so its root), net, uts and ipc
 * namespaces, in its cgroup, as its user, with its rlimits and under the same seccomp filter
 * (the bytes the jail stored at start). The default command is /bin/sh; the environment is
 * the one the jail's command started with (/proc/PID/environ), plus -e; the working
 * directory is / unless --cwd. Exit status as `jail`'s: the command's, 128+N, or 125/126/127.
 * The process layout is jail's (src/launcher/init/enter.ts, enter-steps.ts).
 */
import arg from 'arg';
import { readFileSync } from 'node:fs';
import type { CliIO } from '../io.js';
import { LaunchError } from '../../launcher/launch-error.js';
import { isAlive, readJail, readJailFilter, stateDir, sweepStale, type JailEntry } from '../../launcher/registry/registry.js';
import { entryProblem, stateDirProblem } from '../../launcher/registry/registry-check.js';
import { JAIL_NAME } from '../../launcher/registry/registry-names.js';
import { probeUserNamespaces } from '../../launcher/userns.js';
import { runJail } from '../../launcher/supervisor.js';
import { describeSeccompKill } from './jail-seccomp-report.js';
import type { JailSpec, NsName } from '../../launcher/spec.js';

export const ENTER_USAGE = `Usage: jail enter [options] NAME [--] [COMMAND [ARGS...]]

Runs COMMAND (default /bin/sh) inside the running jail NAME (see jail ps): its namespaces,
root, cgroup, user and seccomp filter.

Options:
      --cwd DIR            working directory in the jail (default /)
  -e, --env KEY=VALUE      set a variable (the rest is the jail command's environment)
  -v, --verbose            print each step
  -q, --quiet              print nothing of jail's own unless it fails
  -h, --help
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class EnterError extends Error {}

function environOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter((v) => v !== '');
  } catch {
    throw new EnterError(`cannot read the environment of the jail's command (pid ${pid})`);
  }
}

function withEnv(base: readonly string[], sets: readonly string[]): string[] {
  const vars = new Map(base.map((e) => [e.slice(0, Math.max(0, e.indexOf('='))), e] as const));
  for (const e of sets) {
    const eq = e.indexOf('=');
    if (eq <= 0) throw new EnterError(`--env ${e}: expected KEY=VALUE`);
    vars.set(e.slice(0, eq), e);
  }
  return [...vars.values()];
}

function specFor(entry: JailEntry, argv: readonly string[], opts: { cwd?: string; env: readonly string[]; verbose: boolean }): JailSpec {
  const command = entry.command!;
  const names = Object.keys(entry.namespaces) as NsName[];
  let filter: JailSpec['filter'];
  if (entry.policy !== undefined) {
    const bytes = readJailFilter(entry.name);
    // Never enter without the filter the jail runs under.
    if (!bytes) throw new EnterError(`the seccomp filter of ${entry.name} is missing from the state directory`);
    filter = { name: entry.policy, bytes };
  }
  return {
    argv: argv.length > 0 ? argv : ['/bin/sh'],
    env: withEnv(environOf(command.pid), opts.env),
    cwd: opts.cwd,
    namespaces: { pid: names.includes('pid'), mount: names.includes('mnt'), net: names.includes('net'), uts: names.includes('uts'), ipc: names.includes('ipc'), cgroup: names.includes('cgroup') },
    hostname: entry.hostname,
    limits: {},
    cgroup: false,
    rlimits: entry.rlimits,
    uid: entry.uid,
    gid: entry.gid,
    capabilities: entry.capabilities,
    filter,
    killAfter: 5,
    verbose: opts.verbose,
    enter: { pid: command.pid, starttime: command.starttime, namespaces: names, cgroupProcs: entry.cgroup?.procsFiles ?? [] },
  };
}

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const err = (line: string) => io.stderr.write(`jail enter: ${line}\n`);
  let a;
  try {
    a = arg(
      { '--cwd': String, '--env': [String], '--verbose': Boolean, '--quiet': Boolean, '--help': Boolean, '-e': '--env', '-v': '--verbose', '-q': '--quiet', '-h': '--help' },
      { argv: [...argv], stopAtPositional: true },
    );
  } catch (e) {
    err(`${(e as Error).message} (see jail enter --help)`);
    return 125;
  }
  if (a['--help']) {
    io.stdout.write(ENTER_USAGE);
    return 0;
  }
  const [name, ...rest] = a._;
  if (name === undefined) {
    err('missing NAME: jail enter NAME [-- COMMAND...]');
    return 125;
  }
  if (!JAIL_NAME.test(name)) {
    err(`${JSON.stringify(name)} is not a jail name (see jail ps)`);
    return 125;
  }
  const command = rest[0] === '--' ? rest.slice(1) : rest;
  const log = a['--verbose'] ? (step: string, detail: string) => err(`${step}: ${detail}`) : () => {};
  try {
    const state = stateDir();
    const unsafe = stateDirProblem(state);
    if (unsafe) throw new EnterError(`refusing to use the registry: ${unsafe}`);
    sweepStale(state);
    let entry = readJail(name, state);
    for (let i = 0; entry?.state === 'starting' && i < 250; i++) {
      await sleep(20);
      entry = readJail(name, state);
    }
    if (!entry) throw new EnterError(`no running jail named ${name} (see jail ps)`);
    if (!entry.command || !isAlive(entry.command)) throw new EnterError(`${name} has no running command (state ${entry.state})`);
    const forged = entryProblem(entry);
    if (forged) throw new EnterError(`the registry entry of ${name} does not describe a jail (${forged}): not entered`);
    let spec = specFor(entry, command, { cwd: a['--cwd'], env: a['--env'] ?? [], verbose: a['--verbose'] ?? false });
    if (entry.rootless) {
      // Its user namespace can only be joined by a single-threaded helper (util-linux nsenter).
      const rootless = probeUserNamespaces();
      if (!rootless.ok) throw new EnterError(`${name} runs in a user namespace, and ${rootless.why}`);
      spec = { ...spec, rootless };
    }
    log('jail', `${name}: pid ${entry.command.pid}, namespaces ${Object.keys(entry.namespaces).join(' ') || 'none'}, policy ${entry.policy ?? 'none'}`);
    const result = await runJail(spec, { log });
    if (result.setupError) {
      err(result.setupError.message);
      return result.exitCode;
    }
    if (!a['--quiet']) {
      for (const r of result.reasons) {
        if (r.kind === 'seccomp') err(await describeSeccompKill(entry.policy, r));
      }
    }
    return result.exitCode;
  } catch (e) {
    if (e instanceof EnterError) {
      err(e.message);
      return 125;
    }
    if (e instanceof LaunchError) {
      err(e.message);
      return e.exitCode;
    }
    throw e;
  }
}
