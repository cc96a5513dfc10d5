/**
 * The cases file learn mode writes next to its policy: one expectation line per observed call
 * (`{"arch":"x86_64","syscall":"socket","args":[1],"expect":"allow"}`), which
 * `seccompile test POLICY CASES` replays. It is also the record a later `--learn` run merges
 * with: its allow lines are read back as calls; any other line (one a user added) is kept.
 */
import { isArchName } from '../syscalls/index.js';
import { argumentOfInterest } from './arguments.js';
import type { LearnedCall } from './learned.js';

export function caseLine(c: LearnedCall): string {
  const args: (number | string)[] = [];
  if (c.arg) {
    for (let i = 0; i < c.arg.index; i++) args.push(0);
    args.push(c.arg.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(c.arg.value) : `0x${c.arg.value.toString(16)}`);
  }
  return JSON.stringify({ arch: c.arch, syscall: c.syscall, ...(args.length > 0 ? { args } : {}), expect: 'allow' });
}

export class CasesFileError extends Error {
  override readonly name = 'CasesFileError';
}

/** An earlier cases file: the calls it records, and the lines that are not learned calls. */
export function readCases(text: string, file: string): { calls: LearnedCall[]; other: string[] } {
  const calls: LearnedCall[] = [];
  const other: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new CasesFileError(`${file}:${i + 1}: not JSON (${(e as Error).message}); fix or remove the line to merge into it`);
    }
    const o = v as { arch?: unknown; syscall?: unknown; args?: unknown; expect?: unknown };
    if (o.expect !== 'allow' || typeof o.arch !== 'string' || !isArchName(o.arch) || typeof o.syscall !== 'string') {
      other.push(line);
      return;
    }
    const interest = argumentOfInterest(o.syscall);
    const args = Array.isArray(o.args) ? o.args : [];
    const index = interest?.index(o.arch);
    const raw = index !== undefined ? args[index] : undefined;
    const arg = interest && index !== undefined && (typeof raw === 'number' || typeof raw === 'string') ? { index, value: BigInt(raw) & interest.mask } : undefined;
    calls.push({ arch: o.arch, syscall: o.syscall, ...(arg ? { arg } : {}), count: 0 });
  });
  return { calls, other };
}
