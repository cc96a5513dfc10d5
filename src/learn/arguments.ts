/**
 * The arguments learn mode records per value, because a policy can usefully allow only the
 * values seen: socket families, ioctl requests, prctl options, personalities, the namespace
 * flags of clone and unshare, socketcall's sub-call. Each is an integer the kernel reads as
 * 32 bits (`int`/`unsigned int`), so the rule compares the low 32 bits (`arg(i).int`).
 */
import type { Arch, ArchName } from '../syscalls/index.js';

const CLONE_NAMESPACES = 0x7e020080; // NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|NEWTIME

export interface ArgumentOfInterest {
  readonly syscall: string;
  /** The argument's index on `arch` (clone's flags are the second argument on s390x). */
  readonly index: (arch: ArchName) => number;
  /** Bits that count; all 32 for a plain value (the rule is then an `eq`, else a `maskedEq`). */
  readonly mask: bigint;
  /** What the value is, for the comment next to its rule. */
  readonly what: string;
}

const FULL = 0xffffffffn;
const first = () => 0;

export const ARGUMENTS_OF_INTEREST: readonly ArgumentOfInterest[] = [
  { syscall: 'socket', index: first, mask: FULL, what: 'address family' },
  { syscall: 'socketpair', index: first, mask: FULL, what: 'address family' },
  { syscall: 'ioctl', index: () => 1, mask: FULL, what: 'request' },
  { syscall: 'prctl', index: first, mask: FULL, what: 'option' },
  { syscall: 'personality', index: first, mask: FULL, what: 'persona' },
  { syscall: 'clone', index: (a) => (a === 's390x' ? 1 : 0), mask: BigInt(CLONE_NAMESPACES), what: 'namespace flags' },
  { syscall: 'unshare', index: first, mask: FULL, what: 'flags' },
  { syscall: 'socketcall', index: first, mask: FULL, what: 'sub-call' },
];

const BY_NAME = new Map(ARGUMENTS_OF_INTEREST.map((a) => [a.syscall, a]));

export function argumentOfInterest(syscall: string): ArgumentOfInterest | undefined {
  return BY_NAME.get(syscall);
}

/** The selectors the notification worker records per value, for these arches. */
export function argumentSelectors(arches: readonly Arch[]): { arch: number; nr: number; arg: number; mask: bigint }[] {
  const out = [];
  for (const arch of arches) {
    for (const a of ARGUMENTS_OF_INTEREST) {
      const nr = arch.syscalls.get(a.syscall);
      if (nr !== undefined) out.push({ arch: arch.auditArch >>> 0, nr, arg: a.index(arch.name), mask: a.mask });
    }
  }
  return out;
}
