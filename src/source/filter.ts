/**
 * Compiled filters as a source: the bytes of a `.bpf` file, read only up to one byte past the
 * largest filter (a larger file, or a device that never ends, costs no more), and bytes decoded
 * and validated into a Program in the byte order asked for, or detected (src/bpf/load.ts).
 * Every command, the test API and jail read filters here, so a filter file that is too large,
 * unreadable or not a valid program is named the same way everywhere.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { BPF_MAXINSNS } from '../bpf/isa.js';
import { loadProgram } from '../bpf/load.js';
import type { Endian } from '../seccomp/abi.js';
import { SourceError, type Source } from './types.js';

/** The most bytes a filter has: BPF_MAXINSNS instructions of 8 bytes. */
export const MAX_FILTER_BYTES = BPF_MAXINSNS * 8;

/**
 * A SourceError naming `name` when `bytes` hold more than the largest filter; a caller that reads
 * a stream itself (stdin) reads MAX_FILTER_BYTES + 1 and checks here.
 */
export function checkFilterSize(bytes: Uint8Array, name: string): void {
  if (bytes.length <= MAX_FILTER_BYTES) return;
  throw new SourceError(
    `${name}: larger than ${BPF_MAXINSNS} instructions (${MAX_FILTER_BYTES} bytes), the most the kernel accepts in a filter; is it a filter (raw struct sock_filter bytes)?`,
  );
}

/**
 * The bytes of the filter file `path`: a SourceError when it cannot be read or is larger than
 * any filter. Read here rather than with src/loader/bounded-read.ts: that module is shared with
 * src/oci, so the bundler would make it a module of its own on jail's start-up path, which
 * costs more than these lines.
 */
export function readFilterFile(path: string): Uint8Array {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(MAX_FILTER_BYTES + 1);
    let total = 0;
    for (let n; total < buffer.length && (n = readSync(fd, buffer, total, buffer.length - total, null)) > 0; ) total += n;
    const bytes = buffer.subarray(0, total);
    checkFilterSize(bytes, path);
    return bytes;
  } catch (e) {
    if (e instanceof SourceError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new SourceError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The program in `bytes` (named `name` in messages), in byte order `endian` or the one it is
 * valid in. A SourceError `NAME: why` otherwise, whose `cause` is src/bpf's EncodingError (not
 * whole instructions) or ProgramLoadError (the problems in each order tried).
 */
export function filterFromBytes(bytes: Uint8Array, name: string, endian?: Endian): Source {
  let loaded;
  try {
    loaded = loadProgram(bytes, endian);
  } catch (e) {
    throw new SourceError(`${name}: ${(e as Error).message}`, [], { cause: e });
  }
  return { name, kind: 'filter', program: loaded.program, endian: loaded.order, installFlags: [], diagnostics: [], skipped: [] };
}
