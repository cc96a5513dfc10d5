/**
 * Classic BPF programs to and from raw `struct sock_filter` arrays (include/uapi/linux/filter.h):
 * 8 bytes an instruction, u16 code, u8 jt, u8 jf, u32 k, in the byte order of the machine that
 * loads the filter (little-endian by default; big-endian for s390x and ppc64 targets).
 */
import { SOCK_FILTER_SIZE, type Insn } from './isa.js';

export type ByteOrder = 'little' | 'big';

/** Raised for bytes that cannot be a program at all (empty, or a partial instruction). */
export class EncodingError extends Error {
  override readonly name = 'EncodingError';
}

export function encode(program: readonly Insn[], order: ByteOrder = 'little'): Uint8Array {
  const bytes = new Uint8Array(program.length * SOCK_FILTER_SIZE);
  const view = new DataView(bytes.buffer);
  const little = order === 'little';
  program.forEach((ins, i) => {
    const at = i * SOCK_FILTER_SIZE;
    view.setUint16(at, ins.code, little);
    view.setUint8(at + 2, ins.jt);
    view.setUint8(at + 3, ins.jf);
    view.setUint32(at + 4, ins.k >>> 0, little);
  });
  return bytes;
}

export function decode(bytes: Uint8Array, order: ByteOrder = 'little'): Insn[] {
  if (bytes.length === 0) throw new EncodingError('empty filter: a program needs at least one instruction');
  if (bytes.length % SOCK_FILTER_SIZE !== 0) {
    throw new EncodingError(
      `filter length ${bytes.length} bytes is not a multiple of ${SOCK_FILTER_SIZE} (struct sock_filter): ` +
        `${bytes.length % SOCK_FILTER_SIZE} trailing bytes`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = order === 'little';
  const program: Insn[] = [];
  for (let at = 0; at < bytes.length; at += SOCK_FILTER_SIZE) {
    program.push({
      code: view.getUint16(at, little),
      jt: view.getUint8(at + 2),
      jf: view.getUint8(at + 3),
      k: view.getUint32(at + 4, little),
    });
  }
  return program;
}
