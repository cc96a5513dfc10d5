/**
 * Reading a filter file for the CLI commands that take one (`validate`, `eval`, `disasm`):
 * the file argument, the bytes, the `--endian` option, and the messages for files that cannot
 * be read or are not a valid filter.
 */
import { EncodingError, type ByteOrder } from '../../bpf/encode.js';
import { loadProgram, ProgramLoadError, type LoadedProgram } from '../../bpf/load.js';
import { sourceKind } from '../../source/kinds.js';
import { FILTER_INPUT, readFileOrFail } from './input.js';
import { UsageError, UserError } from '../io.js';

/** The one file argument of a command (`what` names it in the usage error: "FILE.bpf"). */
export function onlyFile(positional: readonly string[], what: string): string {
  if (positional.length === 1) return positional[0]!;
  throw new UsageError(positional.length === 0 ? `missing ${what}` : `expected one ${what}, got ${positional.length}`);
}

/** The validated program in `bytes` (read from `path`), or a UserError naming the file and why not. */
export function loadFilter(bytes: Uint8Array, path: string, order?: ByteOrder): LoadedProgram {
  refuseText(bytes, path);
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

/** A line of a listing: an instruction and its operand (with or without its `pc:`), a label or a directive. */
const LISTING_LINE =
  /^\s*(?:(?:\d+:\s*)?(?:ld|ldh|ldb|ldx|ldxb|st|stx|ret|ja|jmp|jeq|jne|jneq|jgt|jge|jlt|jle|jset|add|sub|mul|div|mod|and|or|xor|lsh|rsh|neg|tax|txa)(?:\s+(?:[#[%]|M\[|[xa]\b|L\d|\d|len\b|4\s*\*)|\s*(?:;|$))|\w+:\s*$|\.endian\s)/;

/**
 * A UserError when `bytes` is text rather than a filter, saying what the text looks like (an
 * assembly listing when most of its lines are instructions or labels) and which command takes it. Every real filter has NUL bytes (its first `ld [4]` has six); text
 * has none, and no control characters other than tab, newline, vertical tab, form feed and CR.
 */
export function refuseText(bytes: Uint8Array, path: string): void {
  if (bytes.length === 0) return;
  for (const b of bytes) if (b < 0x09 || (b > 0x0d && b < 0x20) || b === 0x7f) return;
  const text = Buffer.from(bytes).toString('utf8');
  const what = `${path === '-' ? 'stdin' : path} is text, not a filter (raw struct sock_filter bytes)`;
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !/^\s*[;#]/.test(l));
  if (lines.filter((l) => LISTING_LINE.test(l)).length * 2 > lines.length) throw new UserError(`${what}; it looks like a BPF assembly listing: seccompile asm ${path} -o FILE.bpf assembles it`);
  const kind = sourceKind(path);
  if (kind === 'module' || kind === 'oci') throw new UserError(`${what}; to compile a policy: seccompile ${path} -o FILE.bpf`);
  throw new UserError(`${what}; seccompile POLICY -o FILE.bpf and seccompile asm write filters`);
}
