/**
 * `jail`: runs a command in namespaces, under cgroup limits and a seccomp policy (the
 * supervisor; see src/launcher/supervisor.ts for the process layout). Exit codes follow
 * `docker run`: the command's own, 128+N for signal N, 125 for jail's own errors, 126 not
 * executable, 127 not found. Prints at most one line of its own when the sandbox stopped the
 * command (and --verbose setup steps).
 */
import { processIO, type CliIO } from './io.js';
import { JAIL_USAGE, JailUsageError, parseJailOptions, type JailOptions } from './jail-options.js';
import { LaunchError } from '../launcher/launch-error.js';
import { resolvePolicy } from '../launcher/policy-source.js';
import { runJail, type JailResult, type StopReason } from '../launcher/supervisor.js';
import type { JailSpec } from '../launcher/spec.js';

async function describe(reason: StopReason, opts: JailOptions, spec: JailSpec): Promise<string | undefined> {
  switch (reason.kind) {
    case 'memory':
      return reason.commandKilled
        ? `killed by the memory limit (${opts.texts.memory}): out of memory`
        : `the memory limit (${opts.texts.memory}) killed ${reason.oomKills} process${reason.oomKills > 1 ? 'es' : ''}: out of memory`;
    case 'pids':
      return `the pids limit (${opts.texts.pids}) refused ${reason.refused} fork${reason.refused > 1 ? 's' : ''}`;
    case 'timeout':
      return `killed by the timeout (${reason.seconds}s)${reason.escalated ? `: it ignored SIGTERM, SIGKILL after ${spec.killAfter}s` : ''}`;
    case 'signal':
      return reason.escalated ? `the command ignored ${reason.signal}: SIGKILL after ${spec.killAfter}s` : undefined;
    case 'seccomp': {
      const policy = spec.filter?.name ?? '?';
      if (!reason.record) return `killed by seccomp policy ${policy} (SIGSYS); the syscall is unknown: ${reason.why}`;
      const { syscall, arch } = reason.record;
      // The syscall tables load only on this path.
      const { archForAudit, syscallName } = await import('../syscalls/index.js');
      const a = archForAudit(arch, syscall);
      const name = a ? syscallName(a, syscall) : undefined;
      const where = a && a.name !== 'x86_64' && a.name !== 'aarch64' ? ` on ${a.name}` : '';
      return `killed by seccomp policy ${policy}: syscall ${name ?? '?'} (${syscall})${where}`;
    }
  }
}

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const err = (line: string) => io.stderr.write(`jail: ${line}\n`);
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
  const log = opts.spec.verbose ? (step: string, detail: string) => err(`${step}: ${detail}`) : () => {};
  let result: JailResult;
  let spec: JailSpec;
  try {
    const filter = opts.policy !== undefined ? await resolvePolicy(opts.policy) : undefined;
    if (filter) log('policy', `${filter.name}: ${filter.bytes.length / 8} instructions`);
    spec = { ...opts.spec, filter };
    result = await runJail(spec, { log });
  } catch (e) {
    if (e instanceof LaunchError) {
      err(e.message);
      return e.exitCode;
    }
    throw e;
  }
  if (result.setupError) {
    err(result.setupError.message);
    return result.exitCode;
  }
  if (!opts.quiet) {
    for (const r of result.reasons) {
      const line = await describe(r, opts, spec);
      if (line) err(line);
    }
  }
  return result.exitCode;
}

if (process.argv[1] && /jail(\.js|\.ts)?$/.test(process.argv[1])) {
  main(process.argv.slice(2), processIO).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`jail: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 125;
    },
  );
}
