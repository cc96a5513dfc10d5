/**
 * Capability checks for tests that need the real kernel. A test may skip only with a printed
 * reason ("SKIP: ..." on stdout, which scripts/test.mjs echoes). CI sets SECCOMPILE_STRICT_SKIPS=1:
 * then a missing capability that CI machines do have (root, seccomp, namespaces, cgroups) fails
 * the test instead of skipping it. Kernel features a host may lack (IA-32 emulation, x32, a
 * cgroup v2 hierarchy with the memory, pids and cpu controllers) may skip, unless
 * SECCOMPILE_KERNEL_FEATURES (comma-separated: ia32,x32,cgroup-v2) declares them present, as
 * the VM of `npm run test:kernels` does. 'test-runner' (jest and vitest, which `npm run
 * setup:runners` installs outside the dependency tree and .ci/run installs before the tests)
 * is required in CI too. CI also runs the suite as an
 * unprivileged user: there root, and the namespaces and cgroups that need it, are rightly missing,
 * so only seccomp and the test runners stay required.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readCgroupMounts } from '../../src/launcher/cgroups/cgroups.js';

export type Capability = 'root' | 'seccomp' | 'namespaces' | 'cgroups' | 'cgroup-v2' | 'ia32' | 'x32' | 'tool' | 'test-runner';

const REQUIRED_IN_CI: ReadonlySet<Capability> = new Set(['root', 'seccomp', 'namespaces', 'cgroups', 'test-runner']);
const REQUIRED_IN_CI_WITHOUT_ROOT: ReadonlySet<Capability> = new Set(['seccomp', 'test-runner']);

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export function hasSeccomp(): boolean {
  try {
    return /^Seccomp:/m.test(readFileSync('/proc/self/status', 'utf8'));
  } catch {
    return false;
  }
}

export function hasNamespaces(): boolean {
  return ['pid', 'net', 'mnt', 'uts', 'ipc'].every((ns) => existsSync(`/proc/self/ns/${ns}`));
}

export function hasCgroups(): boolean {
  return existsSync('/sys/fs/cgroup/memory') || existsSync('/sys/fs/cgroup/cgroup.controllers');
}

/** Whether the cgroup v2 hierarchy is mounted and offers every controller jail's limits use. */
export function hasCgroupV2Limits(): boolean {
  const { v2 } = readCgroupMounts();
  if (v2 === undefined) return false;
  try {
    const have = readFileSync(`${v2}/cgroup.controllers`, 'utf8').trim().split(/\s+/);
    return ['memory', 'pids', 'cpu'].every((c) => have.includes(c));
  } catch {
    return false;
  }
}

function declared(cap: Capability): boolean {
  return (process.env.SECCOMPILE_KERNEL_FEATURES ?? '').split(',').map((s) => s.trim()).includes(cap);
}

/**
 * Returns true when `available`; otherwise prints "SKIP: <what>: <reason>" and returns false,
 * or throws when CI (SECCOMPILE_STRICT_SKIPS, for this user: root or not) or SECCOMPILE_KERNEL_FEATURES
 * demands the capability.
 */
export function need(cap: Capability, available: boolean, what: string, reason: string): boolean {
  if (available) return true;
  if (process.env.SECCOMPILE_STRICT_SKIPS === '1' && (isRoot() ? REQUIRED_IN_CI : REQUIRED_IN_CI_WITHOUT_ROOT).has(cap)) {
    throw new Error(`${what} needs ${cap} (${reason}), and CI machines have it: refusing to skip`);
  }
  if (declared(cap)) {
    throw new Error(`${what} needs ${cap} (${reason}), and SECCOMPILE_KERNEL_FEATURES says this kernel has it: refusing to skip`);
  }
  console.log(`SKIP: ${what}: ${reason}`);
  return false;
}
