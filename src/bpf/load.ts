/**
 * Raw `struct sock_filter` bytes -> a validated `Program`, detecting the byte order when the
 * caller does not know it: a filter file carries no marker, but a program that is valid in one
 * order is almost never valid in the other (a swapped u16 code is rarely an allowed opcode).
 * When both orders give a valid program, little-endian wins (the common case, and the default
 * of `encode`); in fact no program is valid both ways (a byte-swapped opcode below 0x100 is
 * 0x100 or more unless it is 0, `ld #k`, and the last instruction must be a return).
 */
import { decode, type ByteOrder } from './encode.js';
import { check, validate, type BpfError, type Program } from './validate.js';

export interface LoadedProgram {
  readonly program: Program;
  readonly order: ByteOrder;
}

/** The bytes are not a valid program in the requested order, or in either order. */
export class ProgramLoadError extends Error {
  override readonly name = 'ProgramLoadError';
  constructor(
    message: string,
    /** The broken rules for each order that was tried. */
    readonly errors: Readonly<Partial<Record<ByteOrder, readonly BpfError[]>>>,
  ) {
    super(message);
  }
}

/**
 * Decodes and validates `bytes`. With `order`, only that byte order is tried. Throws
 * EncodingError (from decode) for bytes that are not whole instructions, ProgramLoadError when
 * no tried order gives a valid program.
 */
export function loadProgram(bytes: Uint8Array, order?: ByteOrder): LoadedProgram {
  const orders: readonly ByteOrder[] = order ? [order] : ['little', 'big'];
  const errors: Partial<Record<ByteOrder, readonly BpfError[]>> = {};
  for (const o of orders) {
    const insns = decode(bytes, o);
    const found = check(insns);
    if (found.length === 0) return { program: validate(insns), order: o };
    errors[o] = found;
  }
  const parts = orders.map((o) => `${o}-endian: ${errors[o]![0]!.message}${more(errors[o]!.length)}`);
  const what = order ? `not a valid seccomp filter as ${order}-endian` : 'not a valid seccomp filter in either byte order';
  throw new ProgramLoadError(`${what} (${parts.join('; ')})`, errors);
}

const more = (n: number): string => (n > 1 ? ` (and ${n - 1} more)` : '');
