/**
 * What a CLI command may touch: its arguments and three streams, injected so commands can be
 * tested in-process without spawning. Only src/cli prints or decides exit codes.
 */
import arg from 'arg';

export interface CliIO {
  readonly stdout: { write(chunk: string | Uint8Array): unknown };
  readonly stderr: { write(chunk: string | Uint8Array): unknown };
  /**
   * Reads stdin (or the injected input) as one buffer: all of it, or with `maxBytes`, stops once
   * it has at least that many (the caller then knows the input is too large).
   */
  readStdin(maxBytes?: number): Promise<Buffer>;
  /**
   * Async iteration over stdin lines (without their '\n' or '\r\n'), for streaming commands like
   * `eval`; stdin is read only as fast as the lines are taken. A line longer than `maxLength`
   * (default MAX_LINE) is cut to its first maxLength + 1 characters, the rest skipped.
   */
  stdinLines(maxLength?: number): AsyncIterable<string>;
}

/** Default longest line `stdinLines` keeps whole (in UTF-16 code units). */
export const MAX_LINE = 64 * 1024;

/**
 * Writes `chunk` and, when the stream asks the writer to wait (write() returned false: a slow
 * reader), resolves only once it drained (or closed), so a long output never piles up in memory.
 */
export async function writeDrained(stream: CliIO['stdout'], chunk: string | Uint8Array): Promise<void> {
  if (stream.write(chunk) !== false) return;
  const s = stream as Partial<NodeJS.WritableStream>;
  if (typeof s.once !== 'function' || typeof s.off !== 'function') return;
  await new Promise<void>((resolve) => {
    const done = () => {
      s.off!('drain', done);
      s.off!('close', done);
      s.off!('error', done);
      resolve();
    };
    s.once!('drain', done);
    s.once!('close', done);
    s.once!('error', done);
  });
}

/** Splits text chunks into lines, cutting long ones (see CliIO.stdinLines). */
export async function* splitLines(chunks: AsyncIterable<string>, maxLength = MAX_LINE): AsyncGenerator<string> {
  let pending = '';
  let overlong = false;
  for await (const text of chunks) {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      const piece = text.slice(start, nl < 0 ? text.length : nl);
      if (!overlong) {
        pending += piece;
        if (pending.length > maxLength) {
          pending = pending.slice(0, maxLength + 1);
          overlong = true;
        }
      }
      if (nl < 0) break;
      yield overlong ? pending : pending.endsWith('\r') ? pending.slice(0, -1) : pending;
      pending = '';
      overlong = false;
      start = nl + 1;
    }
  }
  if (pending !== '') yield overlong ? pending : pending.endsWith('\r') ? pending.slice(0, -1) : pending;
}

/** A command: receives the arguments after its name, returns the exit code. */
export type Command = (argv: readonly string[], io: CliIO) => Promise<number>;

/** A mistake in how the command was invoked: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A failure the user can act on (bad input file, unknown syscall): printed as is, exit code 1. */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/** `arg` with its errors turned into UsageError. */
export function parseArgs<T extends arg.Spec>(spec: T, argv: readonly string[]): arg.Result<T> {
  try {
    return arg(spec, { argv: [...argv], permissive: false });
  } catch (e) {
    if (e instanceof Error && (e as { code?: string }).code?.startsWith('ARG_')) throw new UsageError(e.message);
    throw e;
  }
}

export const processIO: CliIO = {
  stdout: process.stdout,
  stderr: process.stderr,
  async readStdin(maxBytes = Infinity) {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const c of process.stdin) {
      chunks.push(c as Buffer);
      total += (c as Buffer).length;
      if (total >= maxBytes) break;
    }
    return Buffer.concat(chunks);
  },
  stdinLines(maxLength?: number) {
    process.stdin.setEncoding('utf8');
    return splitLines(process.stdin as AsyncIterable<string>, maxLength);
  },
};

/** An in-memory CliIO for tests: give it stdin, read back what was written. */
export function memoryIO(stdin = ''): CliIO & { out(): string; err(): string; outBytes(): Buffer } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const toBuf = (c: string | Uint8Array) => (typeof c === 'string' ? Buffer.from(c) : Buffer.from(c));
  return {
    stdout: { write: (c: string | Uint8Array) => out.push(toBuf(c)) },
    stderr: { write: (c: string | Uint8Array) => err.push(toBuf(c)) },
    async readStdin(maxBytes = Infinity) {
      return Buffer.from(stdin).subarray(0, maxBytes);
    },
    stdinLines(maxLength?: number) {
      return splitLines(
        (async function* () {
          yield stdin;
        })(),
        maxLength,
      );
    },
    out: () => Buffer.concat(out).toString(),
    err: () => Buffer.concat(err).toString(),
    outBytes: () => Buffer.concat(out),
  };
}

/**
 * Writes a command's output (`-o FILE`): to stdout for `-`, else to FILE, a UserError naming it
 * when that fails. node:fs/promises loads only here: jail's start-up shares this module.
 */
export async function writeOutput(io: CliIO, output: string, data: string | Uint8Array): Promise<void> {
  if (output === '-') {
    io.stdout.write(data);
    return;
  }
  const { writeFile } = await import('node:fs/promises');
  try {
    await writeFile(output, data);
  } catch (e) {
    throw new UserError(`cannot write ${output}: ${(e as Error).message}`);
  }
}
