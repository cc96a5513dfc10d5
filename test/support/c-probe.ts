/**
 * The C probes the kernel tests run, built with gcc. Each binary is named after its source and
 * a hash of the source and the flags, in SECCOMPILE_PROBE_DIR when set (scripts/vm/run.mjs
 * builds them all there before the VM boots, since gcc is ~10x slower inside it), else in a
 * temporary directory of this process, removed when it exits.
 *
 * Run as a script (`node --import tsx test/support/c-probe.ts DIR`), it builds every probe into DIR.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const testDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const FLAGS = ['-O2', '-Wall', '-Werror'];

/** Every probe, by name: its source under test/. */
export const PROBES = {
  'probe': 'kernel/probe.c',
  'filter-probe': 'kernel/filter-probe.c',
  'abi-probe': 'support/abi-probe.c',
  'learn-probe': 'learn/learn-probe.c',
} as const;
export type ProbeName = keyof typeof PROBES;

export function hasGcc(): boolean {
  return spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status === 0;
}

let ownDir: string | undefined;
function probeDir(): string {
  const shared = process.env.SECCOMPILE_PROBE_DIR;
  if (shared) return shared;
  if (ownDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'seccompile-probes-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    ownDir = dir;
  }
  return ownDir;
}

/** The path of probe `name`, compiled unless a binary of the same source and flags exists. */
export function cProbe(name: ProbeName, dir = probeDir()): string {
  const source = join(testDir, PROBES[name]);
  const hash = createHash('sha256').update(readFileSync(source)).update(FLAGS.join(' ')).digest('hex').slice(0, 12);
  const binary = join(dir, `${name}-${hash}`);
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  // Compile beside it and rename: parallel test files may build the same probe at once.
  const partial = `${binary}.${process.pid}`;
  execFileSync('gcc', [...FLAGS, '-o', partial, source], { stdio: 'inherit' });
  renameSync(partial, binary);
  return binary;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) throw new Error(`usage: node --import tsx ${basename(process.argv[1])} DIR`);
  for (const name of Object.keys(PROBES) as ProbeName[]) cProbe(name, resolve(dir));
}
