/**
 * The fuzz test's worker: runs one command of the CLI in-process on generated inputs and reports
 * each input before and after it runs, so that the test's main thread can kill it (and name the
 * input) when one takes too long. Started by test/cli/fuzz.test.ts; not a test file itself.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/seccompile/seccompile.js';
import { memoryIO, type CliIO } from '../../src/cli/io.js';
import { disassemble } from '../../src/bpf/disasm.js';
import { decode } from '../../src/bpf/encode.js';
import { evalLines, int, mutateFilter, mutateListing, mutateProfile, rng } from './fuzz-inputs.js';

export type FuzzCommand = 'validate' | 'disasm' | 'asm' | 'eval' | 'oci';

export interface FuzzTask {
  readonly command: FuzzCommand;
  readonly seed: number;
  readonly count: number;
}

/** What the worker says: an input is starting, or how it ended (a problem, or undefined). */
export type FuzzMessage =
  | { readonly kind: 'start'; readonly index: number; readonly input: string }
  | { readonly kind: 'done'; readonly index: number; readonly code: number; readonly problem?: string }
  | { readonly kind: 'finished' };

const root = join(import.meta.dirname, '..', '..');
const FILTERS = ['default', 'net-off', 'stdio'].map((n) => new Uint8Array(readFileSync(join(root, 'bpf', `${n}.x86_64.bpf`))));
const LISTINGS = FILTERS.map((f) => disassemble(decode(f, 'little')));
const PROFILES = ['args-allowlist', 'denylist'].map((n) => readFileSync(join(root, 'test', 'fixtures', 'oci', `${n}.json`), 'utf8'));

const dir = mkdtempSync(join(tmpdir(), 'seccompile-fuzz-'));
const allowFilter = join(dir, 'filter.bpf');

/** An in-memory CliIO whose stdin is bytes (filters are binary). */
function bytesIO(bytes: Uint8Array): ReturnType<typeof memoryIO> {
  const io = memoryIO();
  const readStdin = async (max?: number): Promise<Buffer> => Buffer.from(bytes).subarray(0, max ?? bytes.length);
  return { ...io, readStdin };
}

const preview = (b: Uint8Array | string) => (typeof b === 'string' ? JSON.stringify(b.slice(0, 400)) : Buffer.from(b).toString('hex').slice(0, 400));

/** Runs one input; returns what is wrong with how the command handled it, if anything. */
async function runOne(command: FuzzCommand, r: () => number, index: number): Promise<{ code: number; problem?: string }> {
  let argv: string[];
  let io: ReturnType<typeof memoryIO>;
  let expectLines: number | undefined;
  let input: string;
  switch (command) {
    case 'validate':
    case 'disasm': {
      const bytes = mutateFilter(r, FILTERS);
      input = preview(bytes);
      argv = [command, '-', ...(int(r, 3) === 0 ? ['--endian', int(r, 2) ? 'big' : 'little'] : [])];
      io = bytesIO(bytes);
      break;
    }
    case 'asm': {
      const text = mutateListing(r, LISTINGS);
      input = preview(text);
      argv = ['asm', '-', '-o', join(dir, 'out.bpf'), ...(int(r, 4) === 0 ? ['--no-validate'] : [])];
      io = memoryIO(text);
      break;
    }
    case 'eval': {
      const bytes = mutateFilter(r, FILTERS);
      writeFileSync(allowFilter, bytes);
      const lines = evalLines(r);
      input = `${preview(bytes)} ${preview(lines.join('\n'))}`;
      argv = ['eval', allowFilter, '--engine', int(r, 4) === 0 ? 'jit' : 'interpreter'];
      io = memoryIO(lines.join('\n') + '\n');
      expectLines = lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)).filter((l) => l.trim() !== '').length;
      break;
    }
    case 'oci': {
      const text = mutateProfile(r, PROFILES);
      const file = join(dir, `profile-${index}.json`);
      writeFileSync(file, text);
      input = preview(text);
      argv = ['compile', file, '-o', join(dir, 'oci.bpf'), '--arch', 'x86_64', '--kernel', '6.1'];
      io = memoryIO();
      break;
    }
  }
  parentPort!.postMessage({ kind: 'start', index, input } satisfies FuzzMessage);
  let code: number;
  try {
    code = await main(argv, io as CliIO);
  } catch (e) {
    return { code: -1, problem: `threw instead of exiting 0/1/2: ${e instanceof Error ? e.stack : String(e)}` };
  }
  return { code, ...check(code, io, expectLines) };
}

function check(code: number, io: ReturnType<typeof memoryIO>, expectLines: number | undefined): { problem?: string } {
  const problem = findProblem(code, io, expectLines);
  return problem ? { problem } : {};
}

function findProblem(code: number, io: ReturnType<typeof memoryIO>, expectLines: number | undefined): string | undefined {
  const err = io.err();
  if (![0, 1, 2].includes(code)) return `exit ${code}: ${err.slice(0, 2000)}`;
  if (/^\s+at .+(:\d+:\d+\)?|\(native\))$/m.test(err) || /internal error|RangeError|TypeError|Maximum call stack/.test(err)) return `a stack trace or internal error on stderr: ${err.slice(0, 2000)}`;
  if (expectLines !== undefined && code === 0) {
    const out = io.out().split('\n').slice(0, -1);
    if (out.length !== expectLines) return `${expectLines} case lines but ${out.length} result lines`;
    if (out.some((l) => !/^\{"(action|error)":/.test(l))) return `a result line that is neither a result nor an error: ${out.find((l) => !/^\{"(action|error)":/.test(l))}`;
  }
  return undefined;
}

const task = workerData as FuzzTask;
const r = rng(task.seed);
try {
  for (let index = 0; index < task.count; index++) {
    const { code, problem } = await runOne(task.command, r, index);
    parentPort!.postMessage({ kind: 'done', index, code, ...(problem ? { problem } : {}) } satisfies FuzzMessage);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
parentPort!.postMessage({ kind: 'finished' } satisfies FuzzMessage);
