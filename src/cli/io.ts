/**
 * What a CLI command may touch: its arguments and three streams, injected so commands can be
 * tested in-process without spawning. Only src/cli prints or decides exit codes.
 */
import arg from 'arg';

export interface CliIO {
  readonly stdout: { write(chunk: string | Uint8Array): unknown };
  readonly stderr: { write(chunk: string | Uint8Array): unknown };
  /** Reads all of stdin (or the injected input) as one buffer. */
  readStdin(): Promise<Buffer>;
  /** Async iteration over stdin lines, for streaming commands like `eval`. */
  stdinLines(): AsyncIterable<string>;
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
  async readStdin() {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  },
  async *stdinLines() {
    const { createInterface } = await import('node:readline');
    const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of rl) yield line;
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
    async readStdin() {
      return Buffer.from(stdin);
    },
    async *stdinLines() {
      const lines = stdin.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      yield* lines;
    },
    out: () => Buffer.concat(out).toString(),
    err: () => Buffer.concat(err).toString(),
    outBytes: () => Buffer.concat(out),
  };
}
