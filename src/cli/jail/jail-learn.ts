/**
 * The end of a `jail --learn FILE.ts` run: names what the command called, merges it with what
 * FILE's cases file already records (so several runs build one policy), and writes FILE (a DSL
 * policy, ../learn/write-policy.ts) and FILE's cases file (one expectation line per call).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ObservedCall } from '../../launcher/seccomp/notify-session.js';

/** `out.ts` -> `out.cases.jsonl` */
export function casesFileOf(policyFile: string): string {
  return policyFile.replace(/\.(ts|mts)$/, '') + '.cases.jsonl';
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export interface LearnSummary {
  /** Distinct calls this run saw, and in the files after merging. */
  readonly seen: number;
  readonly total: number;
  readonly written: number;
  readonly merged: boolean;
  /** Calls the tables could not name (shown as arch/nr). */
  readonly unknown: readonly string[];
}

export async function writeLearned(file: string, command: readonly string[], observed: readonly ObservedCall[], total: number): Promise<LearnSummary> {
  const [{ hostArch, compatArches }, { nameCalls, mergeCalls }, { caseLine, readCases }, { policyText, learnedCommands }] = await Promise.all([
    import('../../syscalls/index.js'),
    import('../../learn/learned.js'),
    import('../../learn/cases.js'),
    import('../../learn/write-policy.js'),
  ]);
  const { calls, unknown } = nameCalls(observed);
  const casesFile = casesFileOf(file);
  let earlier: { calls: ReturnType<typeof nameCalls>['calls']; other: string[] } = { calls: [], other: [] };
  let commands: string[] = [];
  const merged = existsSync(casesFile);
  if (merged) earlier = readCases(readFileSync(casesFile, 'utf8'), casesFile);
  if (existsSync(file)) commands = learnedCommands(readFileSync(file, 'utf8'));
  const all = mergeCalls(earlier.calls, calls);
  const commandLine = command.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
  const text = policyText(all, {
    commands: [...commands, commandLine],
    casesFile: basename(casesFile),
    preferredArches: compatArches(hostArch()).map((a) => a.name),
  });
  writeAtomically(file, text);
  writeAtomically(casesFile, [...all.map(caseLine), ...earlier.other].join('\n') + '\n');
  return { seen: calls.length, total, written: all.length, merged, unknown: unknown.map((u) => `arch 0x${u.arch.toString(16)} nr ${u.nr}`) };
}
