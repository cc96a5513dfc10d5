/**
 * `struct seccomp_data` (include/uapi/linux/seccomp.h) as a typed value and as the 64 bytes a
 * filter reads: `int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6];`, every field in
 * the byte order of the machine running the filter.
 */
import { SECCOMP_DATA, type Endian } from './abi.js';

/** The input of a filter: one system call as the kernel describes it. */
export interface SeccompData {
  /** seccomp_data.nr: the raw number (x32 calls include 0x40000000). An int: -2^31..2^32-1 accepted. */
  readonly nr: number;
  /** seccomp_data.arch: an AUDIT_ARCH_* value (u32). */
  readonly arch: number;
  readonly instructionPointer: bigint;
  /** Up to six 64-bit arguments; missing ones are 0. */
  readonly args: readonly bigint[];
}

const U64_MAX = (1n << 64n) - 1n;

/** Why `data` cannot be a seccomp_data (a number out of range), or undefined when it can. */
export function seccompDataProblem(data: SeccompData): string | undefined {
  if (!Number.isInteger(data.nr) || data.nr < -(2 ** 31) || data.nr > 2 ** 32 - 1) return `nr ${data.nr} is not a 32-bit integer`;
  if (!Number.isInteger(data.arch) || data.arch < 0 || data.arch > 2 ** 32 - 1) return `arch ${data.arch} is not a u32`;
  if (data.instructionPointer < 0n || data.instructionPointer > U64_MAX) return `instruction pointer ${data.instructionPointer} is not a u64`;
  if (data.args.length > 6) return `${data.args.length} arguments, a system call has at most 6`;
  for (const [i, a] of data.args.entries()) if (a < 0n || a > U64_MAX) return `args[${i}] = ${a} is not a u64`;
  return undefined;
}

/**
 * Writes `data` into `view` (64 bytes from `offset`) without allocating: the evaluator's hot
 * path. The caller guarantees the values are in range (see seccompDataProblem).
 */
export function writeSeccompData(view: DataView, data: SeccompData, endian: Endian, offset = 0): void {
  const little = endian === 'little';
  view.setUint32(offset + SECCOMP_DATA.nr, data.nr >>> 0, little);
  view.setUint32(offset + SECCOMP_DATA.arch, data.arch >>> 0, little);
  view.setBigUint64(offset + SECCOMP_DATA.instruction_pointer, data.instructionPointer, little);
  for (let i = 0; i < 6; i++) view.setBigUint64(offset + SECCOMP_DATA.args + 8 * i, data.args[i] ?? 0n, little);
}

/** The 64 bytes of `data` in byte order `endian`. Throws RangeError for out-of-range values. */
export function encodeSeccompData(data: SeccompData, endian: Endian): Uint8Array {
  const problem = seccompDataProblem(data);
  if (problem) throw new RangeError(`seccomp_data: ${problem}`);
  const bytes = new Uint8Array(SECCOMP_DATA.size);
  writeSeccompData(new DataView(bytes.buffer), data, endian);
  return bytes;
}
