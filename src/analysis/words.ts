/**
 * The 16 32-bit words of struct seccomp_data (include/uapi/linux/seccomp.h) under their meaning
 * rather than their offset: a filter reads `ld [k]` at byte offset k, and which half of a 64-bit
 * field lives at k depends on the byte order (argWordOffset). The analysis works on meanings, so
 * a little-endian and a big-endian filter can be compared word for word.
 *
 * Word index: 0 nr, 1 arch, 2 ip.lo, 3 ip.hi, 4 + 2i args[i] low half, 5 + 2i args[i] high half.
 * For a little-endian filter the index is offset / 4.
 */
import type { Endian } from '../seccomp/abi.js';

export const WORD_COUNT = 16;
export const NR_WORD = 0;
export const ARCH_WORD = 1;

/** The word index of the u32 at byte `offset` (a multiple of 4 below 64) in byte order `endian`. */
export function wordAtOffset(offset: number, endian: Endian): number {
  const slot = offset >>> 2;
  return slot < 2 || endian === 'little' ? slot : slot ^ 1;
}

/** Word index of an argument's low or high half. */
export function argWord(arg: number, half: 'low' | 'high'): number {
  return 4 + 2 * arg + (half === 'high' ? 1 : 0);
}

/** 'nr', 'arch', 'ip.lo', 'arg2.hi', ... */
export function wordName(word: number): string {
  if (word === NR_WORD) return 'nr';
  if (word === ARCH_WORD) return 'arch';
  const half = word % 2 === 0 ? 'lo' : 'hi';
  if (word < 4) return `ip.${half}`;
  return `arg${(word - 4) >> 1}.${half}`;
}
