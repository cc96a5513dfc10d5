/**
 * Reading a filter file for the CLI commands that take one (`validate`, `eval`, `disasm`):
 * the file argument, the bytes, the `--endian` option, and the messages for files that cannot
 * be read or are not a valid filter.
 */
import { EncodingError, type ByteOrder } from '../bpf/encode.js';
import { loadProgram, ProgramLoadError, type LoadedProgram } from '../bpf/load.js';
import { FILTER_INPUT, readFileOrFail } from './input.js';
import { UsageError, UserError } from './io.js';

/** The one file argument of a command (`what` names it in the usage error: "FILE.bpf"). */
export function onlyFile(positional: readonly string[], what: string): string {
  if (positional.length === 1) return positional[0]!;
  throw new UsageError(positional.length === 0 ? `missing ${what}` : `expected one ${what}, got ${positional.length}`);
}

/** The validated program in `bytes` (read from `path`), or a UserError naming the file and why not. */
export function loadFilter(bytes: Uint8Array, path: string, order?: ByteOrder): LoadedProgram {
  try {
    return loadProgram(bytes, order);
  } catch (e) {
    if (e instanceof EncodingError || e instanceof ProgramLoadError) throw new UserError(`${path}: ${e.message}`);
    throw e;
  }
}

/** The `--endian` option's value checked, or undefined when absent (detect the order). */
export function parseEndian(value: string | undefined): ByteOrder | undefined {
  if (value === undefined) return undefined;
  if (value !== 'little' && value !== 'big') throw new UsageError(`--endian must be 'little' or 'big', not '${value}'`);
  return value;
}

/**
 * The bytes of the filter file `path`, or a UserError naming the file and the reason (unreadable,
 * or larger than any filter the kernel accepts: then no more than that is read).
 */
export async function readFilterFile(path: string): Promise<Uint8Array> {
  if (path === '-') throw new UsageError('give the filter as a file, not -');
  const bytes = await readFileOrFail(path, FILTER_INPUT.maxBytes + 1);
  if (bytes.length > FILTER_INPUT.maxBytes) throw new UserError(`${path}: ${FILTER_INPUT.tooLarge}`);
  return bytes;
}
