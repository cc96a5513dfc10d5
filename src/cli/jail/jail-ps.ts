/**
 * `jail ps [--json]`: the running named jails (`jail --name`) as a table: name, pid (as the
 * host sees it), command, uptime, memory use / limit, tasks / pids limit, policy. Entries of
 * jails whose supervisor is gone are swept first. `--json` prints the registry entries with
 * their usage, one JSON array, for scripts.
 */
import type { CliIO } from '../io.js';
import { jailUsage, type JailUsage } from '../../launcher/jail-usage.js';
import { listJails, stateDir, sweepStale, type JailEntry } from '../../launcher/registry/registry.js';
import arg from 'arg';
import { tmpdir } from 'node:os';

/** `jail ps --help`, naming the state directory this user's jails register in. */
export function psUsage(state = stateDir()): string {
  return `Usage: jail ps [--json]

Lists the running jails started with --name, from the state directory: $SECCOMPILE_STATE_DIR,
else /run/seccompile for root, and for other users $XDG_RUNTIME_DIR/seccompile, or
${tmpdir()}/seccompile-UID without XDG_RUNTIME_DIR. Here: ${state}
`;
}

/** 1536 -> "1.5K", binary units as --memory takes them. */
export function formatSize(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i > 0 && v < 10 ? v.toFixed(1).replace(/\.0$/, '') : Math.round(v)}${units[i]}`;
}

/** 3725 -> "1h02m". */
export function formatUptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d${pad(Math.floor((s % 86400) / 3600))}h`;
}

function row(e: JailEntry, u: JailUsage | undefined, now: number): string[] {
  const limit = (used: string, max: number | undefined) => (max === undefined ? used : `${used} / ${max}`);
  const memory =
    u?.memory === undefined ? '-' : `${u.memorySource === 'rss' ? '~' : ''}${formatSize(u.memory)}${e.limits.memory !== undefined ? ` / ${formatSize(e.limits.memory)}` : ''}`;
  const command = e.argv.join(' ');
  return [
    e.name,
    e.command ? String(e.command.pid) : '-',
    command.length > 40 ? `${command.slice(0, 39)}…` : command,
    e.state === 'running' ? formatUptime((now - e.started) / 1000) : 'starting',
    memory,
    u ? limit(String(u.tasks), e.limits.pids) : '-',
    e.policy ?? 'none',
  ];
}

export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...r[i]!].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - [...c].length))).join('  ')).join('\n') + '\n';
}

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  let a;
  try {
    a = arg({ '--json': Boolean, '--help': Boolean, '-h': '--help' }, { argv: [...argv] });
  } catch (e) {
    io.stderr.write(`jail ps: ${(e as Error).message} (see jail ps --help)\n`);
    return 125;
  }
  if (a['--help']) {
    io.stdout.write(psUsage());
    return 0;
  }
  if (a._.length > 0) {
    io.stderr.write(`jail ps: unexpected argument ${a._[0]} (see jail ps --help)\n`);
    return 125;
  }
  const state = stateDir();
  sweepStale(state);
  const jails = listJails(state).map((e) => ({ entry: e, usage: e.cgroup ? jailUsage(e.cgroup.dirs) : undefined }));
  if (a['--json']) {
    io.stdout.write(JSON.stringify(jails.map(({ entry, usage }) => ({ ...entry, usage })), null, 1) + '\n');
    return 0;
  }
  const now = Date.now();
  const header = ['NAME', 'PID', 'COMMAND', 'UPTIME', 'MEMORY', 'PIDS', 'POLICY'];
  io.stdout.write(formatTable([header, ...jails.map(({ entry, usage }) => row(entry, usage, now))]));
  return 0;
}
