/**
 * How learn mode records calls, and what it costs: test/learn/learn-probe.c (rare calls from a
 * thread and a child, then getpriority N times) run
 *  - plainly (the reference: what the calls cost without a filter),
 *  - under `jail --learn` (SECCOMP_RET_USER_NOTIF: each call waits for the supervisor's answer),
 *  - under a filter returning SECCOMP_RET_LOG for every call (through bwrap --seccomp), with the
 *    kernel's audit records of it read back from /dev/kmsg, where they land without auditd,
 * and for each: distinct calls recorded against the ones strace -f sees, calls recorded against
 * calls made, and the cost per call. Needs root, gcc, strace and bwrap; N from LEARN_BENCH_CALLS.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { endianness, tmpdir } from 'node:os';
import { hostArch } from '../src/syscalls/index.js';
import { readKmsg } from '../src/launcher/kill-report/kmsg.js';
import { encode } from '../src/bpf/encode.js';
import { BPF_CLASS, BPF_RVAL, insn } from '../src/bpf/isa.js';
import { SECCOMP_RET_LOG } from '../src/seccomp/abi.js';
import type { BenchReport } from './run.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CALLS = Number(process.env.LEARN_BENCH_CALLS ?? 200_000);

function run(cmd: string, args: readonly string[], fd3?: string): Promise<{ ms: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const fd = fd3 === undefined ? undefined : openSync(fd3, 'r');
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe', ...(fd === undefined ? [] : [fd])] });
    if (fd !== undefined) closeSync(fd);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ ms: performance.now() - t0, stderr }) : reject(new Error(`${cmd}: exit ${code}: ${stderr}`))));
  });
}

/** The kernel log records with a sequence number from `since` on. */
function kmsgSince(since: number): string[] {
  return readKmsg().filter((record) => Number(record.split(',')[1]) >= since);
}

function nextKmsgSeq(): number {
  const records = kmsgSince(0);
  return records.length === 0 ? 0 : Number(records[records.length - 1]!.split(',')[1]) + 1;
}

export default async function bench(): Promise<BenchReport> {
  const title = `learn mode: recording every call (probe: rare calls, then ${CALLS.toLocaleString('en-US')} getpriority)`;
  if (process.getuid?.() !== 0) return { title, columns: ['method'], rows: [], notes: ['skipped: needs root'] };
  const dir = mkdtempSync(join(tmpdir(), 'learn-bench-'));
  const probe = join(dir, 'learn-probe');
  execFileSync('gcc', ['-O2', '-o', probe, join(root, 'test', 'learn', 'learn-probe.c')]);
  const trace = join(dir, 'strace.txt');
  execFileSync('strace', ['-f', '-qq', '-o', trace, probe, '100'], { stdio: 'ignore' });
  const made = new Set([...readFileSync(trace, 'utf8').matchAll(/^\d+\s+([a-z0-9_]+)\(/gm)].map((m) => m[1]!));
  const arch = hostArch();
  const nameOf = (nr: number) => arch.names.get(nr) ?? String(nr);

  const plain = await run(probe, [String(CALLS)]);

  const policy = join(dir, 'learned.ts');
  const learned = await run(join(root, 'bin', 'jail'), ['--ro-bind', dir, '--learn', policy, '--', probe, String(CALLS)]);
  const learnedNames = new Set(
    readFileSync(join(dir, 'learned.cases.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { syscall: string }).syscall),
  );
  const learnedTotal = Number(/\((\d+) in all\)/.exec(learned.stderr)?.[1] ?? 0);

  const logFilter = join(dir, 'log.bpf');
  writeFileSync(logFilter, encode([insn(BPF_CLASS.RET | BPF_RVAL.K, SECCOMP_RET_LOG)], endianness() === 'LE' ? 'little' : 'big'));
  const since = nextKmsgSeq();
  const logged = await run('bwrap', ['--dev-bind', '/', '/', '--seccomp', '3', probe, String(CALLS)], logFilter);
  await new Promise((r) => setTimeout(r, 1000)); // kauditd prints asynchronously
  const records = kmsgSince(since).filter((r) => r.includes('type=1326') && r.includes('comm="learn-probe"'));
  const loggedNames = new Set(records.map((r) => nameOf(Number(/ syscall=(\d+)/.exec(r)?.[1]))));
  const lostLine = kmsgSince(since).find((r) => /callbacks suppressed|audit_lost/.test(r));

  const per = (ms: number) => ((ms - plain.ms) * 1000) / CALLS;
  const missing = (names: Set<string>) => {
    const list = [...made].filter((n) => !names.has(n));
    return list.length === 0 ? 'none' : list.length <= 4 ? list.join(' ') : `${list.slice(0, 4).join(' ')} and ${list.length - 4} more`;
  };
  return {
    title,
    columns: ['method', 'wall ms', 'µs per call over plain', 'calls recorded', 'distinct recorded / made', 'missing'],
    rows: [
      ['plain (no filter)', plain.ms, 0, '-', '-', '-'],
      ['jail --learn (USER_NOTIF)', learned.ms, per(learned.ms), learnedTotal, `${[...made].filter((n) => learnedNames.has(n)).length} / ${made.size}`, missing(learnedNames)],
      ['RET_LOG + audit records in /dev/kmsg', logged.ms, per(logged.ms), records.length, `${[...made].filter((n) => loggedNames.has(n)).length} / ${made.size}`, missing(loggedNames)],
    ],
    notes: [
      `calls made: about ${(CALLS + 60).toLocaleString('en-US')}; distinct calls made: strace -f of the same probe`,
      'USER_NOTIF cannot lose a call (the task waits for the answer); RET_LOG goes through audit, whose',
      'printk path without auditd is rate-limited' + (lostLine ? ` (this run: "${lostLine.split(';')[1]?.trim()}")` : ''),
      'jail --learn includes jail\'s own start-up (~100 ms); the per-call figure is the rest',
    ],
  };
}
