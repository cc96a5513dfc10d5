/**
 * The reference stack's decision for an OCI profile: oci_libseccomp.py builds the filter with
 * libseccomp the way Docker/Podman + runc do; this module loads it and puts runc's patchbpf
 * -ENOSYS stub in front (modelled here, from libcontainer/seccomp/patchbpf/enosys_linux.go:
 * per audit arch, a syscall number above the largest one the profile names gets ERRNO(ENOSYS),
 * unless the default action is ALLOW, LOG or TRACE; x86_64 and x32 are told apart by bit 30).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProgram } from '../../src/bpf/load.js';
import type { Program } from '../../src/bpf/validate.js';
import { InterpreterEvaluator } from '../../src/seccomp/evaluate.js';
import type { SeccompData } from '../../src/seccomp/data.js';
import { SECCOMP_RET_ERRNO, X32_SYSCALL_BIT } from '../../src/seccomp/abi.js';
import { ARCHES, type ArchName } from '../../src/syscalls/index.js';

export const PYTHON = '/usr/bin/python3';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'oci_libseccomp.py');
const ENOSYS_RET = (SECCOMP_RET_ERRNO | 38) >>> 0;

/** True when Debian's python3-seccomp can be imported. */
export function hasPythonSeccomp(): boolean {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', 'import seccomp'], { encoding: 'utf8' }).status === 0;
}

export interface ReferenceRequest {
  /** The profile: its JSON text (keeps u64 values exact) or a value. */
  readonly profile: string | object;
  readonly native?: ArchName;
  readonly caps?: readonly string[];
  readonly kernel?: string;
  /** libseccomp's CTL_OPTIMIZE: 0 (default layout) or 2 (binary tree). */
  readonly optimize?: 0 | 2;
}

export interface ReferenceFilter {
  /** libseccomp's own program (without runc's stub). */
  readonly program: Program;
  readonly arches: readonly ArchName[];
  /** Largest raw nr the profile names per arch (runc's findLastSyscalls). */
  readonly lastSyscalls: Readonly<Partial<Record<ArchName, number>>>;
  /** Whether runc puts its -ENOSYS stub in front. */
  readonly stub: boolean;
  /** Names libseccomp could not resolve on the native arch (runc ignores them). */
  readonly ignored: readonly string[];
  /** Per arch, the profile's names libseccomp cannot place there (unknown to it, or absent). */
  readonly missing: Readonly<Partial<Record<ArchName, readonly string[]>>>;
  /** libseccomp's rule building + export_bpf, measured inside Python (ms). */
  readonly ms: number;
  /** The u32 runc's loaded filter (stub + libseccomp program) returns for `data`. */
  decide(data: SeccompData): number;
  /** Instructions libseccomp's program executes for `data` (the stub not counted). */
  steps(data: SeccompData): number;
}

/** Builds the reference filter; throws with the helper's message when it refuses. */
export function buildReference(req: ReferenceRequest): ReferenceFilter {
  const dir = mkdtempSync(join(tmpdir(), 'seccompile-ref-'));
  try {
    const out = join(dir, 'filter.bpf');
    const r = spawnSync(PYTHON, [SCRIPT], {
      input: JSON.stringify({
        ...(typeof req.profile === 'string' ? { profileText: req.profile } : { profile: req.profile }),
        native: req.native ?? 'x86_64',
        caps: req.caps,
        kernel: req.kernel,
        optimize: req.optimize ?? 0,
        out,
      }),
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    if (r.status !== 0) throw new Error(`oci_libseccomp.py: ${r.stderr.trim() || `exit ${r.status}`}`);
    const info = JSON.parse(r.stdout) as Omit<ReferenceFilter, 'program' | 'decide' | 'steps'>;
    const { program } = loadProgram(new Uint8Array(readFileSync(out)), 'little');
    const evaluator = new InterpreterEvaluator(program, 'little');
    const stubRet = (data: SeccompData): number | undefined => {
      if (!info.stub) return undefined;
      const nr = data.nr >>> 0;
      const audit = data.arch >>> 0;
      const candidates = info.arches.filter((a) => ARCHES[a].auditArch === audit && info.lastSyscalls[a] !== undefined);
      // x86_64 and x32 share AUDIT_ARCH_X86_64: runc's stub picks the section by bit 30 of nr.
      const pick =
        audit === ARCHES.x86_64.auditArch
          ? candidates.find((a) => a === ((nr & X32_SYSCALL_BIT) !== 0 ? 'x32' : 'x86_64'))
          : candidates[0];
      if (pick === undefined) return undefined;
      if (pick === 's390x' && nr === 0) return ENOSYS_RET;
      return nr > info.lastSyscalls[pick]! >>> 0 ? ENOSYS_RET : undefined;
    };
    return {
      ...info,
      program,
      decide: (data) => stubRet(data) ?? evaluator.evaluateOne(data).ret,
      steps: (data) => evaluator.evaluateOne(data).steps,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
