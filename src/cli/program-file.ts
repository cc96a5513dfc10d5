/**
 * Reading a filter file for the CLI commands that take one (`validate`, `eval`, `disasm`):
 * the bytes, the `--endian` option, and the messages for files that cannot be read.
 */
import { readFile } from 'node:fs/promises';
import type { ByteOrder } from '../bpf/encode.js';
import { UsageError, UserError } from './io.js';

/** The `--endian` option's value checked, or undefined when absent (detect the order). */
export function parseEndian(value: string | undefined): ByteOrder | undefined {
  if (value === undefined) return undefined;
  if (value !== 'little' && value !== 'big') throw new UsageError(`--endian must be 'little' or 'big', not '${value}'`);
  return value;
}

/** The bytes of `path`, or a UserError naming the file and the reason. */
export async function readFilterFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new UserError(`cannot read ${path}: ${why}`);
  }
}
