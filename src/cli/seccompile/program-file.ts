/**
 * Reading a filter for the CLI commands that take one (`validate`, `disasm`, `wasm`, `eval`):
 * the file argument (`-`: stdin), the `--endian` option, and the bytes and the program, read and
 * decoded by src/source as every other command and jail read them, its SourceErrors turned into
 * UserErrors. Text given where a filter is expected is refused with the command that takes it.
 */
import type { ByteOrder } from '../../bpf/encode.js';
import type { Program } from '../../bpf/validate.js';
import { checkFilterSize, filterFromBytes, MAX_FILTER_BYTES, readFilterFile } from '../../source/filter.js';
import { sourceKind } from '../../source/kinds.js';
import { SourceError } from '../../source/types.js';
import { UsageError, UserError, type CliIO } from '../io.js';

/** The one file argument of a command (`what` names it in the usage error: "FILE.bpf"). */
export function onlyFile(positional: readonly string[], what: string): string {
  if (positional.length === 1) return positional[0]!;
  throw new UsageError(positional.length === 0 ? `missing ${what}` : `expected one ${what}, got ${positional.length}`);
}

/** The `--endian` option's value checked, or undefined when absent (detect the order). */
export function parseEndian(value: string | undefined): ByteOrder | undefined {
  if (value === undefined) return undefined;
  if (value !== 'little' && value !== 'big') throw new UsageError(`--endian must be 'little' or 'big', not '${value}'`);
  return value;
}

/**
 * The bytes of the filter `path` (stdin for `-`), or a UserError naming it and the reason
 * (unreadable, or larger than any filter the kernel accepts: then no more than that is read).
 */
export async function readFilter(path: string, io: CliIO): Promise<Uint8Array> {
  try {
    if (path !== '-') return readFilterFile(path);
    const bytes = await io.readStdin(MAX_FILTER_BYTES + 1);
    checkFilterSize(bytes, 'stdin');
    return bytes;
  } catch (e) {
    throw e instanceof SourceError ? new UserError(e.message) : e;
  }
}

/** The validated program in `bytes` (read from `path`) and its byte order, or a UserError naming the file and why not. */
export function decodeFilter(bytes: Uint8Array, path: string, order?: ByteOrder): { readonly program: Program; readonly order: ByteOrder } {
  try {
    const source = filterFromBytes(bytes, path, order);
    return { program: source.program, order: source.endian };
  } catch (e) {
    throw e instanceof SourceError ? new UserError(e.message) : e;
  }
}

/** decodeFilter, after refusing text (refuseText). */
export function loadFilter(bytes: Uint8Array, path: string, order?: ByteOrder): { readonly program: Program; readonly order: ByteOrder } {
  refuseText(bytes, path);
  return decodeFilter(bytes, path, order);
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
