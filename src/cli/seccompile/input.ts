/**
 * Inputs and outputs shared by the commands that read a listing or another text file (filters,
 * policies and profiles are read by src/source: ./program-file.ts): a file argument where `-`
 * means stdin, read with a size limit (a command never reads more than a valid input can hold,
 * plus one unit to tell that it is too large: `asm /dev/zero` ends at once), and whether stdout
 * is a terminal.
 */
import { readFileBounded } from '../../loader/bounded-read.js';
import { BPF_MAXINSNS } from '../../bpf/isa.js';
import { UserError, type CliIO } from '../io.js';

/** Bytes of the largest `asm` listing read (disasm lists 4096 instructions with their comments in ~0.2 MiB). */
export const MAX_LISTING_BYTES = 1024 * 1024;

/** What is read and how much of it a command accepts. */
export interface InputKind {
  readonly maxBytes: number;
  /** The message when the input is larger, after "FILE: ". */
  readonly tooLarge: string;
}

export const LISTING_INPUT: InputKind = {
  maxBytes: MAX_LISTING_BYTES,
  tooLarge: `larger than ${MAX_LISTING_BYTES / 1024 / 1024} MiB, the most seccompile reads of a BPF listing (a filter has at most ${BPF_MAXINSNS} instructions)`,
};

/**
 * The bytes of `path` (stdin for `-`), at most `kind.maxBytes`: a larger input is a UserError
 * naming it, after reading one byte more than the limit. Unreadable files are a UserError too.
 */
export async function readInput(path: string, io: CliIO, kind: InputKind): Promise<Buffer> {
  const bytes = path === '-' ? await io.readStdin(kind.maxBytes + 1) : await readFileOrFail(path, kind.maxBytes + 1);
  if (bytes.length > kind.maxBytes) throw new UserError(`${path === '-' ? 'stdin' : path}: ${kind.tooLarge}`);
  return bytes;
}

/** Up to `max` bytes of a file (see readFileBounded), or a UserError naming the file and why not. */
export async function readFileOrFail(path: string, max: number): Promise<Buffer> {
  try {
    return await readFileBounded(path, max);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new UserError(`cannot read ${path}: ${why}`);
  }
}

/** Whether a stream is a terminal (binary output to one is refused unless asked for). */
export function isTerminal(stream: CliIO['stdout']): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/** Problems shown one a line before the rest are only counted. */
export const MAX_SHOWN_PROBLEMS = 20;

/** The first MAX_SHOWN_PROBLEMS of `items`, and a line counting the rest (undefined when none). */
export function firstProblems<T>(items: readonly T[]): { shown: readonly T[]; more: string | undefined } {
  const rest = items.length - MAX_SHOWN_PROBLEMS;
  return { shown: items.slice(0, MAX_SHOWN_PROBLEMS), more: rest > 0 ? `... and ${rest} more problem${rest === 1 ? '' : 's'}` : undefined };
}
