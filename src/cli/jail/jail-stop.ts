/**
 * `jail stop NAME [--signal SIG] [--timeout S]`: ends a named jail as `docker stop` does:
 * SIG (default SIGTERM) to its command, then SIGKILL when the jail has not ended after S
 * seconds (default 10). A PID 1 ignores signals it has no handler for, even from the host
 * (kernel/signal.c sig_task_ignored: only SIGKILL and SIGSTOP are forced from an ancestor pid
 * namespace), so `sleep` needs the SIGKILL. SIGKILL of the command ends the jail's pid
 * namespace; without one, every process of the jail's cgroup gets it. Returns once the jail's
 * supervisor has cleaned up and removed the entry. Says on stderr what it sent and waits for.
 */
import arg from 'arg';
import { constants } from 'node:os';
import type { CliIO } from '../io.js';
import { readProcs } from '../../launcher/cgroups/cgroup-fs.js';
import { isAlive, readJail, stateDir, sweepStale, type JailEntry } from '../../launcher/registry/registry.js';
import { entryProblem, stateDirProblem } from '../../launcher/registry/registry-check.js';
import { JAIL_NAME } from '../../launcher/registry/registry-names.js';

export const STOP_USAGE = `Usage: jail stop NAME [--signal SIG] [--timeout SECONDS]

Sends SIG (default SIGTERM) to the jail's command and SIGKILL after SECONDS (default 10)
if the jail has not ended by then.
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `TERM`, `SIGTERM`, `15` -> 15. */
export function parseSignal(text: string): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return Object.values(constants.signals).includes(n) ? n : undefined;
  }
  const name = (text.toUpperCase().startsWith('SIG') ? text.toUpperCase() : `SIG${text.toUpperCase()}`) as keyof typeof constants.signals;
  return constants.signals[name];
}

/** 15 -> "SIGTERM". */
function signalName(sig: number): string {
  return Object.entries(constants.signals).find(([, n]) => n === sig)?.[0] ?? `signal ${sig}`;
}

/** Whether the run registered as `entry` is over (its supervisor gone or its entry removed). */
function ended(entry: JailEntry, state: string): boolean {
  if (!isAlive(entry.supervisor)) return true;
  const now = readJail(entry.name, state);
  return now === undefined || now.supervisor.pid !== entry.supervisor.pid || now.supervisor.starttime !== entry.supervisor.starttime;
}

async function waitEnded(entry: JailEntry, state: string, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    if (ended(entry, state)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(20);
  }
}

function signal(pid: number, sig: number): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Gone meanwhile.
  }
}

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const err = (line: string) => io.stderr.write(`jail stop: ${line}\n`);
  let a;
  try {
    a = arg({ '--signal': String, '--timeout': String, '--help': Boolean, '-s': '--signal', '-t': '--timeout', '-h': '--help' }, { argv: [...argv] });
  } catch (e) {
    err(`${(e as Error).message} (see jail stop --help)`);
    return 125;
  }
  if (a['--help']) {
    io.stdout.write(STOP_USAGE);
    return 0;
  }
  if (a._.length !== 1) {
    err(a._.length === 0 ? 'missing NAME: jail stop NAME' : `one NAME expected, got ${a._.join(' ')}`);
    return 125;
  }
  const name = a._[0]!;
  if (!JAIL_NAME.test(name)) {
    err(`${JSON.stringify(name)} is not a jail name (see jail ps)`);
    return 125;
  }
  const sig = parseSignal(a['--signal'] ?? 'SIGTERM');
  if (sig === undefined) {
    err(`--signal ${a['--signal']}: unknown signal`);
    return 125;
  }
  const timeout = Number(a['--timeout'] ?? '10');
  if (a['--timeout'] !== undefined && (a['--timeout'].trim() === '' || !Number.isFinite(timeout) || timeout < 0)) {
    err(`--timeout ${a['--timeout']}: expected a number of seconds`);
    return 125;
  }
  const state = stateDir();
  const unsafe = stateDirProblem(state);
  if (unsafe) {
    err(`refusing to use the registry: ${unsafe}`);
    return 125;
  }
  sweepStale(state);
  let entry = readJail(name, state);
  // A jail still setting up gets a moment to start its command.
  if (entry?.state === 'starting') err(`${name} is starting: waiting up to 5s for its command`);
  for (let i = 0; entry?.state === 'starting' && i < 250; i++) {
    await sleep(20);
    entry = readJail(name, state);
  }
  if (!entry) {
    err(`no running jail named ${name} (see jail ps)`);
    return 125;
  }
  const forged = entryProblem(entry);
  if (forged) {
    err(`the registry entry of ${name} does not describe a jail (${forged}): nothing signalled`);
    return 125;
  }
  // The command, or jail itself while it is still starting (it forwards the signal).
  const target =
    entry.command && isAlive(entry.command) ? { what: 'command', pid: entry.command.pid }
    : entry.state === 'starting' ? { what: 'jail', pid: entry.supervisor.pid }
    : undefined;
  if (target) signal(target.pid, sig);
  const sent = target ? `${signalName(sig)} to ${name} (${target.what}, pid ${target.pid}); ` : '';
  err(`${sent}waiting up to ${timeout}s for it to end, then SIGKILL`);
  if (await waitEnded(entry, state, timeout)) return 0;
  err(`${name} did not end within ${timeout}s: SIGKILL`);
  if (entry.command && isAlive(entry.command)) signal(entry.command.pid, constants.signals.SIGKILL);
  for (const dir of entry.cgroup?.dirs ?? []) for (const pid of readProcs(dir)) signal(pid, constants.signals.SIGKILL);
  if (await waitEnded(entry, state, 10)) return 0;
  err(`${name} is still running 10s after SIGKILL (supervisor pid ${entry.supervisor.pid})`);
  return 125;
}
