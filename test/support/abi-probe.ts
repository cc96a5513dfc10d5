/**
 * test/support/abi-probe.c from the tests: which x86_64 kernel ABIs this kernel runs (IA-32
 * emulation through int $0x80, x32 through the x32 syscall bit), and socket() through each.
 * Only meaningful on x86_64 hosts; elsewhere every ABI but the native one is absent.
 */
import { execFileSync } from 'node:child_process';
import { cProbe, hasGcc } from './c-probe.js';

/** The ABIs abi-probe can make socket() through; i386-socketcall is int $0x80's socketcall(SYS_SOCKET). */
export type Abi = 'x86_64' | 'i386' | 'i386-socketcall' | 'x32';
export const ABIS: readonly Abi[] = ['x86_64', 'i386', 'i386-socketcall', 'x32'];

export interface AbiFeatures {
  /** int $0x80 runs i386 syscalls (CONFIG_IA32_EMULATION, not turned off with ia32_emulation=0). */
  readonly ia32: boolean;
  /** Numbers with __X32_SYSCALL_BIT run x32 syscalls (CONFIG_X86_X32_ABI and syscall.x32=y). */
  readonly x32: boolean;
}

let features: AbiFeatures | undefined;

/** What this kernel runs, asked of abi-probe once per process (all false off x86_64 or without gcc). */
export function abiFeatures(): AbiFeatures {
  if (features) return features;
  if (process.arch !== 'x64' || !hasGcc()) return (features = { ia32: false, x32: false });
  const out = execFileSync(cProbe('abi-probe'), ['features'], { encoding: 'utf8' });
  return (features = { ia32: /^ia32 yes$/m.test(out), x32: /^x32 yes$/m.test(out) });
}

/** The ABIs this kernel runs, in ABIS order. */
export function availableAbis(): Abi[] {
  const f = abiFeatures();
  return ABIS.filter((a) => a === 'x86_64' || (a === 'x32' ? f.x32 : f.ia32));
}
