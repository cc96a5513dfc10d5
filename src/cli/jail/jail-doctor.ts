/**
 * `jail doctor [--json]`: what jail can do here for the current user, one line per check,
 * each OK or what is missing and what to do about it: seccomp, root or user namespaces (and
 * the setting that blocks them), each namespace type, the cgroup version, its controllers and
 * (without root) delegation, audit access for seccomp-kill reports, the kernel's mount API and
 * the x86 compat ABIs. Exit status 0 when jail can isolate a command here, 1 when not.
 */
import arg from 'arg';
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import type { CliIO } from '../io.js';
import { neededControllers, readCgroupMounts, type CgroupLimits } from '../../launcher/cgroups/cgroups.js';
import { probeUserNamespaces } from '../../launcher/userns.js';
import { delegatedCgroup } from '../../launcher/cgroups/cgroup-delegated.js';

export const DOCTOR_USAGE = `Usage: jail doctor [--json]

Checks what jail can do here for you: seccomp, namespaces (as root or inside a user
namespace), cgroups and their controllers, seccomp-kill reports, kernel features.
Exit status: 0 when jail can isolate a command here, 1 when it cannot.
`;

export type CheckStatus = 'ok' | 'missing' | 'info';

/** One line of `jail doctor` (and one object of `--json`). */
export interface DoctorCheck {
  readonly check: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** What to do when `missing`. */
  readonly fix?: string;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** "6.1" from "6.1.0-13-amd64" -> [6, 1]. */
function kernelVersion(text = release()): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

const atLeast = (v: [number, number], major: number, minor: number) => v[0] > major || (v[0] === major && v[1] >= minor);

/** The kernel's build configuration, where the distribution ships it. */
function kernelConfig(): string | undefined {
  return read(`/boot/config-${release()}`);
}

export function doctorChecks(root = process.geteuid?.() === 0): DoctorCheck[] {
  const out: DoctorCheck[] = [];
  const status = read('/proc/self/status') ?? '';
  const seccomp = /^Seccomp:\s*(\d)/m.exec(status);
  out.push(
    seccomp
      ? { check: 'seccomp', status: 'ok', detail: `filters supported (this process: mode ${seccomp[1]})` }
      : { check: 'seccomp', status: 'missing', detail: 'the kernel has no seccomp', fix: 'a kernel with CONFIG_SECCOMP_FILTER' },
  );
  const userns = probeUserNamespaces();
  if (root) out.push({ check: 'privileges', status: 'ok', detail: 'root: namespaces, cgroups and mounts directly' });
  else if (userns.ok) out.push({ check: 'privileges', status: 'ok', detail: 'not root: namespaces inside a user namespace (util-linux unshare and setpriv)' });
  else out.push({ check: 'privileges', status: 'missing', detail: `not root, and ${userns.why}`, fix: 'run as root, or enable user namespaces; until then jail --no-namespaces runs with the policy only' });
  const types = ['pid', 'mnt', 'net', 'uts', 'ipc', 'cgroup', 'user'];
  const absent = types.filter((t) => !existsSync(`/proc/self/ns/${t}`));
  out.push(
    absent.length === 0
      ? { check: 'namespaces', status: 'ok', detail: types.join(' ') }
      : { check: 'namespaces', status: 'missing', detail: `the kernel lacks ${absent.join(' ')}`, fix: 'a kernel with CONFIG_NAMESPACES and the missing types' },
  );
  out.push(...cgroupChecks(root));
  out.push(auditCheck(root));
  const v = kernelVersion();
  out.push(
    atLeast(v, 5, 12)
      ? { check: 'mount API', status: 'ok', detail: `Linux ${release()}: mount_setattr makes the host's tree read-only in one call` }
      : { check: 'mount API', status: 'info', detail: `Linux ${release()}: no mount_setattr (5.12); jail remounts each mount read-only instead` },
  );
  if (process.arch === 'x64') out.push(...x86Checks());
  return out;
}

function cgroupChecks(root: boolean): DoctorCheck[] {
  const mounts = readCgroupMounts();
  const out: DoctorCheck[] = [];
  const v2Controllers = mounts.v2 ? (read(`${mounts.v2}/cgroup.controllers`) ?? '').trim().split(/\s+/).filter(Boolean) : [];
  const where = [mounts.v2 ? `v2 at ${mounts.v2} (${v2Controllers.join(' ') || 'no controllers'})` : '', mounts.v1.size > 0 ? `v1: ${[...mounts.v1.keys()].join(' ')}` : '']
    .filter(Boolean)
    .join('; ');
  if (!mounts.v2 && mounts.v1.size === 0) {
    return [{ check: 'cgroups', status: 'missing', detail: 'no cgroup filesystem mounted', fix: 'mount cgroup2 on /sys/fs/cgroup' }];
  }
  out.push({ check: 'cgroups', status: 'info', detail: where });
  const limits: Array<[string, CgroupLimits]> = [['--memory', { memory: 1 }], ['--pids', { pids: 1 }], ['--cpus', { cpus: 1 }]];
  for (const [option, limit] of limits) {
    const controller = neededControllers(limit)[0]!;
    const usable = v2Controllers.includes(controller) || mounts.v1.has(controller);
    if (!root) {
      const d = delegatedCgroup(mounts.v2, [controller]);
      out.push(
        d.ok
          ? { check: option, status: 'ok', detail: `the ${controller} controller of the cgroup delegated to you (${d.dir})` }
          : { check: option, status: 'missing', detail: d.why.split('; ')[0]!, fix: d.why.includes('; ') ? d.why.split('; ').slice(1).join('; ') : 'run as root for cgroup limits' },
      );
    } else {
      out.push(
        usable
          ? { check: option, status: 'ok', detail: `the ${controller} controller (${v2Controllers.includes(controller) ? 'v2' : 'v1'})` }
          : { check: option, status: 'missing', detail: `no ${controller} controller`, fix: `enable it: echo +${controller} > ${mounts.v2 ?? '/sys/fs/cgroup'}/cgroup.subtree_control, or mount the v1 controller` },
      );
    }
  }
  const devices = root && (mounts.v2 !== undefined || mounts.v1.has('devices'));
  out.push(
    devices
      ? { check: 'device allow-list', status: 'ok', detail: mounts.v2 ? 'a BPF device program on the run\'s cgroup (v2)' : 'the devices controller (v1)' }
      : { check: 'device allow-list', status: 'info', detail: root ? 'no devices controller: nodev mounts alone keep devices out' : 'not root: nodev mounts (a user namespace cannot open devices it makes)' },
  );
  return out;
}

function auditCheck(root: boolean): DoctorCheck {
  if (root) return { check: 'seccomp-kill reports', status: 'ok', detail: 'the audit netlink multicast group names the syscall of a kill' };
  const restricted = read('/proc/sys/kernel/dmesg_restrict')?.trim() === '1';
  const kmsg = existsSync('/dev/kmsg') && !restricted;
  return kmsg
    ? { check: 'seccomp-kill reports', status: 'ok', detail: 'from /dev/kmsg (at most 10 audit records per 5 s machine-wide)' }
    : { check: 'seccomp-kill reports', status: 'missing', detail: 'kernel.dmesg_restrict is 1: a kill is reported without the syscall', fix: 'as root: sysctl -w kernel.dmesg_restrict=0 (or run jail as root)' };
}

/** Whether the kernel was built with a symbol (names show in /proc/kallsyms even when addresses do not). */
function hasSymbol(pattern: RegExp): boolean | undefined {
  const syms = read('/proc/kallsyms');
  return syms === undefined ? undefined : pattern.test(syms);
}

function x86Checks(): DoctorCheck[] {
  const config = kernelConfig();
  const cmdline = read('/proc/cmdline') ?? '';
  const built = (option: string, symbol: RegExp) => (config !== undefined ? new RegExp(`^${option}=y$`, 'm').test(config) : hasSymbol(symbol));
  const ia32 = built('CONFIG_IA32_EMULATION', / __ia32_sys_read$/m);
  const x32 = built('CONFIG_X86_X32_ABI', / __x32_compat_sys_\w+$/m);
  const ia32Off = /\bia32_emulation=(0|n|false|off)\b/.test(cmdline);
  const x32Off = !/\bsyscall\.x32=(1|y|yes|on)\b/.test(cmdline) && config !== undefined && /^CONFIG_X86_X32_DISABLED=y$/m.test(config);
  const line = (check: string, has: boolean | undefined, off: boolean, what: string): DoctorCheck => ({
    check,
    status: 'info',
    detail: has === undefined ? 'unknown (no kernel config or symbols to read)' : !has ? 'not in this kernel' : off ? 'built in, turned off at boot' : `built in: ${what}; policies cover it (jail's filters check the arch)`,
  });
  return [line('i386 ABI', ia32, ia32Off, '32-bit programs can run'), line('x32 ABI', x32, x32Off, 'x32 calls reach the kernel')];
}

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  let a;
  try {
    a = arg({ '--json': Boolean, '--help': Boolean, '-h': '--help' }, { argv: [...argv] });
  } catch (e) {
    io.stderr.write(`jail doctor: ${(e as Error).message} (see jail doctor --help)\n`);
    return 125;
  }
  if (a['--help']) {
    io.stdout.write(DOCTOR_USAGE);
    return 0;
  }
  const checks = doctorChecks();
  const ready = checks.every((c) => c.status !== 'missing' || !['seccomp', 'privileges', 'namespaces'].includes(c.check));
  if (a['--json']) io.stdout.write(JSON.stringify({ ready, checks }) + '\n');
  else {
    const label: Record<CheckStatus, string> = { ok: 'ok  ', missing: 'NO  ', info: '--  ' };
    for (const c of checks) io.stdout.write(`${label[c.status]}${c.check}: ${c.detail}${c.fix ? `\n      to fix: ${c.fix}` : ''}\n`);
    io.stdout.write(ready ? 'jail can isolate commands here.\n' : 'jail cannot isolate commands here (see NO above).\n');
  }
  return ready ? 0 : 1;
}
