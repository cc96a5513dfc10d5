/**
 * The kernel's seccomp ABI under its own names (include/uapi/linux/seccomp.h,
 * include/uapi/linux/audit.h), the typed `Action` every stage passes around, and the
 * action <-> u32 return value mapping (kernel/seccomp.c __seccomp_filter).
 */

export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_KILL_THREAD = 0x00000000;
export const SECCOMP_RET_TRAP = 0x00030000;
export const SECCOMP_RET_ERRNO = 0x00050000;
export const SECCOMP_RET_USER_NOTIF = 0x7fc00000;
export const SECCOMP_RET_TRACE = 0x7ff00000;
export const SECCOMP_RET_LOG = 0x7ffc0000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;
export const SECCOMP_RET_ACTION_FULL = 0xffff0000;
export const SECCOMP_RET_DATA = 0x0000ffff;

export const SECCOMP_SET_MODE_STRICT = 0;
export const SECCOMP_SET_MODE_FILTER = 1;
export const SECCOMP_GET_ACTION_AVAIL = 2;
export const SECCOMP_FILTER_FLAG_TSYNC = 1 << 0;
export const SECCOMP_FILTER_FLAG_LOG = 1 << 1;
export const SECCOMP_FILTER_FLAG_SPEC_ALLOW = 1 << 2;
export const SECCOMP_FILTER_FLAG_NEW_LISTENER = 1 << 3;
export const SECCOMP_FILTER_FLAG_TSYNC_ESRCH = 1 << 4;
export const SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV = 1 << 5;

/** seccomp(SECCOMP_SET_MODE_FILTER, flags, ...) flags by name (include/uapi/linux/seccomp.h). */
export const SECCOMP_FILTER_FLAGS = {
  SECCOMP_FILTER_FLAG_TSYNC,
  SECCOMP_FILTER_FLAG_LOG,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW,
  SECCOMP_FILTER_FLAG_NEW_LISTENER,
  SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
} as const;
export type SeccompFilterFlag = keyof typeof SECCOMP_FILTER_FLAGS;

/** MAX_ERRNO: the kernel caps SECCOMP_RET_ERRNO data at this value. */
export const MAX_ERRNO = 4095;
/** __X32_SYSCALL_BIT: set in seccomp_data.nr for x32 system calls on x86_64. */
export const X32_SYSCALL_BIT = 0x40000000;

/** AUDIT_ARCH_* values that seccomp_data.arch holds. */
export const AUDIT_ARCH = {
  AUDIT_ARCH_X86_64: 0xc000003e,
  AUDIT_ARCH_I386: 0x40000003,
  AUDIT_ARCH_AARCH64: 0xc00000b7,
  AUDIT_ARCH_ARM: 0x40000028,
  AUDIT_ARCH_RISCV64: 0xc00000f3,
  AUDIT_ARCH_S390X: 0x80000016,
  AUDIT_ARCH_S390: 0x00000016,
  AUDIT_ARCH_PPC64LE: 0xc0000015,
  AUDIT_ARCH_PPC64: 0x80000015,
  AUDIT_ARCH_LOONGARCH64: 0xc0000102,
  AUDIT_ARCH_MIPS: 0x00000008,
  AUDIT_ARCH_MIPSEL: 0x40000008,
  AUDIT_ARCH_MIPS64: 0x80000008,
  AUDIT_ARCH_MIPSEL64: 0xc0000008,
} as const;
export type AuditArchName = keyof typeof AUDIT_ARCH;

/** Name of a known AUDIT_ARCH value, e.g. 0xc000003e -> 'AUDIT_ARCH_X86_64'. */
export function auditArchName(value: number): AuditArchName | undefined {
  for (const [name, v] of Object.entries(AUDIT_ARCH)) if (v === value >>> 0) return name as AuditArchName;
  return undefined;
}

/**
 * struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; }
 * Byte offsets; 64-bit fields are in the byte order of the machine running the filter.
 */
export const SECCOMP_DATA = {
  nr: 0,
  arch: 4,
  instruction_pointer: 8,
  args: 16,
  size: 64,
} as const;

/** Offset of the low (`half = 'low'`) or high 32-bit word of args[index] for a byte order. */
export function argWordOffset(index: number, half: 'low' | 'high', endian: Endian): number {
  const base = SECCOMP_DATA.args + 8 * index;
  const lowFirst = endian === 'little';
  return base + ((half === 'low') === lowFirst ? 0 : 4);
}

export type Endian = 'little' | 'big';

/** A decoded filter decision. Actions never travel as strings. */
export type Action =
  | { readonly kind: 'kill_process' }
  | { readonly kind: 'kill_thread' }
  | { readonly kind: 'trap'; readonly data: number }
  | { readonly kind: 'errno'; readonly errno: number }
  | { readonly kind: 'user_notif' }
  | { readonly kind: 'trace'; readonly data: number }
  | { readonly kind: 'log' }
  | { readonly kind: 'allow' };
export type ActionKind = Action['kind'];

export const ACTION_KINDS: readonly ActionKind[] = [
  'kill_process',
  'kill_thread',
  'trap',
  'errno',
  'user_notif',
  'trace',
  'log',
  'allow',
];

/** The u32 a filter returns for `action`. */
export function actionToRet(action: Action): number {
  switch (action.kind) {
    case 'kill_process':
      return SECCOMP_RET_KILL_PROCESS;
    case 'kill_thread':
      return SECCOMP_RET_KILL_THREAD;
    case 'trap':
      return (SECCOMP_RET_TRAP | (action.data & SECCOMP_RET_DATA)) >>> 0;
    case 'errno':
      return (SECCOMP_RET_ERRNO | (action.errno & SECCOMP_RET_DATA)) >>> 0;
    case 'user_notif':
      return SECCOMP_RET_USER_NOTIF;
    case 'trace':
      return (SECCOMP_RET_TRACE | (action.data & SECCOMP_RET_DATA)) >>> 0;
    case 'log':
      return SECCOMP_RET_LOG;
    case 'allow':
      return SECCOMP_RET_ALLOW;
  }
}

/**
 * What the kernel does with a filter's return value. Unknown action values are treated as
 * KILL_PROCESS, as __seccomp_filter's `default:` case does. ERRNO data above MAX_ERRNO is
 * capped by the kernel when it sets the return value; `errno` here is the capped value.
 */
export function retToAction(ret: number): Action {
  const data = ret & SECCOMP_RET_DATA;
  switch ((ret & SECCOMP_RET_ACTION_FULL) >>> 0) {
    case SECCOMP_RET_KILL_PROCESS:
      return { kind: 'kill_process' };
    case SECCOMP_RET_KILL_THREAD:
      return { kind: 'kill_thread' };
    case SECCOMP_RET_TRAP:
      return { kind: 'trap', data };
    case SECCOMP_RET_ERRNO:
      return { kind: 'errno', errno: Math.min(data, MAX_ERRNO) };
    case SECCOMP_RET_USER_NOTIF:
      return { kind: 'user_notif' };
    case SECCOMP_RET_TRACE:
      return { kind: 'trace', data };
    case SECCOMP_RET_LOG:
      return { kind: 'log' };
    case SECCOMP_RET_ALLOW:
      return { kind: 'allow' };
    default:
      return { kind: 'kill_process' };
  }
}

/** Short human form: ALLOW, ERRNO(13), KILL_PROCESS, TRAP(5), ... */
export function formatAction(action: Action): string {
  switch (action.kind) {
    case 'errno':
      return `ERRNO(${action.errno})`;
    case 'trap':
    case 'trace':
      return `${action.kind.toUpperCase()}(${action.data})`;
    default:
      return action.kind.toUpperCase();
  }
}

export function actionsEqual(a: Action, b: Action): boolean {
  return actionToRet(a) === actionToRet(b);
}
