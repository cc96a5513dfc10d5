/**
 * errno names <-> numbers for errno(...) actions and for printing SECCOMP_RET_ERRNO data.
 * The table (./errno-table.ts) is generated from <asm-generic/errno-base.h> and
 * <asm-generic/errno.h>, which every arch we target uses, with one exception recorded here:
 * powerpc's arch/powerpc/include/uapi/asm/errno.h redefines EDEADLOCK as 58 ("File locking
 * deadlock error") instead of EDEADLK (35). Mips, sparc, alpha and parisc have their own
 * numbering but are not targets.
 */
import type { ArchName } from './arch.js';
import { ERRNO_TABLE, type ErrnoEntry, type ErrnoName } from './errno-table.js';

export { ERRNO_TABLE, type ErrnoEntry, type ErrnoName } from './errno-table.js';

/** Per-arch deviations from asm-generic: these entries replace the table's for that name. */
export const ERRNO_ARCH_OVERRIDES: Readonly<Partial<Record<ArchName, readonly ErrnoEntry[]>>> = {
  ppc64le: [{ name: 'EDEADLOCK', errno: 58, message: 'File locking deadlock error' }],
};

/** Spellings libc adds on top of the kernel's: glibc's ENOTSUP is EOPNOTSUPP on Linux. */
export const LIBC_ERRNO_ALIASES = { ENOTSUP: 'EOPNOTSUPP' } as const satisfies Readonly<Record<string, ErrnoName>>;

/** Any name errnoByName accepts. */
export type ErrnoSpelling = ErrnoName | keyof typeof LIBC_ERRNO_ALIASES;

const BY_NAME: ReadonlyMap<string, ErrnoEntry> = new Map(ERRNO_TABLE.map((e) => [e.name, e]));
/** Number -> canonical (non-alias) name; aliases come after their target in the table. */
const BY_NUMBER: ReadonlyMap<number, ErrnoName> = new Map(
  ERRNO_TABLE.filter((e) => !e.alias).map((e) => [e.errno, e.name]),
);

/** The asm-generic errno values by name: ERRNO.EPERM === 1. */
export const ERRNO: Readonly<Record<ErrnoName, number>> = Object.freeze(
  Object.fromEntries(ERRNO_TABLE.map((e) => [e.name, e.errno])) as Record<ErrnoName, number>,
);

export function isErrnoName(name: string): name is ErrnoSpelling {
  return BY_NAME.has(name) || Object.hasOwn(LIBC_ERRNO_ALIASES, name);
}

/** The number of an errno name on `arch` (asm-generic when omitted), undefined when unknown. */
export function errnoByName(name: string, arch?: ArchName): number | undefined {
  const canonical: string = Object.hasOwn(LIBC_ERRNO_ALIASES, name)
    ? LIBC_ERRNO_ALIASES[name as keyof typeof LIBC_ERRNO_ALIASES]
    : name;
  const override = arch ? ERRNO_ARCH_OVERRIDES[arch]?.find((e) => e.name === canonical) : undefined;
  return (override ?? BY_NAME.get(canonical))?.errno;
}

/** The canonical name of an errno number on `arch` (EAGAIN, not EWOULDBLOCK), or undefined. */
export function errnoName(errno: number, arch?: ArchName): ErrnoName | undefined {
  return entryFor(errno, arch)?.name;
}

function entryFor(errno: number, arch: ArchName | undefined): ErrnoEntry | undefined {
  const override = arch ? ERRNO_ARCH_OVERRIDES[arch]?.find((e) => e.errno === errno) : undefined;
  if (override) return override;
  const name = BY_NUMBER.get(errno);
  return name ? BY_NAME.get(name) : undefined;
}

/** The header's description of an errno number ('Operation not permitted'), or undefined. */
export function errnoMessage(errno: number, arch?: ArchName): string | undefined {
  return entryFor(errno, arch)?.message;
}
