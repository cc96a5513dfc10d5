/**
 * The compile command's OCI side: a .json policy is an OCI / Docker seccomp profile (imported
 * with runc's and libseccomp's semantics), and `--format oci|k8s` writes a policy as a profile or
 * as a Security Profiles Operator SeccompProfile instead of compiling it.
 */
import { basename, extname } from 'node:path';
import type { PolicyIR } from '../../ir/types.js';
import { archByName, unknownArchMessage } from '../../syscalls/index.js';
import { UsageError, UserError } from '../io.js';

export const EXPORT_FORMATS = ['oci', 'k8s'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function isExportFormat(s: string): s is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(s);
}

export interface OciInputOptions {
  /** --arch: the native arch runc would run on (one). */
  readonly arches?: readonly string[];
  /** --caps: comma-separated capabilities. */
  readonly caps?: string | undefined;
  /** --kernel: "6.1". */
  readonly kernel?: string | undefined;
}

/**
 * --arch, --caps and --kernel for an OCI profile, checked: usage errors name the option. The
 * OCI side (src/oci) loads only now.
 */
export async function parseOciOptions(options: OciInputOptions): Promise<{ caps?: readonly string[]; kernel?: string }> {
  const { unknownCapability, parseKernelVersion } = await import('../../oci/index.js');
  if (options.arches && options.arches.length > 1) throw new UsageError('--arch: an OCI profile names its own architectures; give at most one (the native arch)');
  const native = options.arches?.[0];
  // The same names (aliases such as amd64 included) and message as every other command's --arch.
  if (native !== undefined && !archByName(native)) throw new UsageError(`--arch: ${unknownArchMessage(native)}`);
  const caps = options.caps === undefined ? undefined : options.caps.split(',').map((c) => c.trim()).filter((c) => c !== '');
  for (const c of caps ?? []) {
    const wrong = unknownCapability(c);
    if (wrong) throw new UsageError(`--caps: ${wrong}`);
  }
  if (options.kernel !== undefined && !parseKernelVersion(options.kernel)) {
    throw new UsageError(`--kernel: '${options.kernel}' is not a kernel version like 6.1`);
  }
  return { ...(caps ? { caps } : {}), ...(options.kernel !== undefined ? { kernel: options.kernel } : {}) };
}

/** The IR as an OCI profile (JSON) or an SPO SeccompProfile (YAML); warnings to report. */
export async function exportPolicy(ir: PolicyIR, format: ExportFormat, path: string): Promise<{ text: string; warnings: readonly string[] }> {
  const { exportOciProfile, exportK8sProfile, ociProfileJson, OciExportError } = await import('../../oci/index.js');
  try {
    const { profile, warnings } = exportOciProfile(ir);
    const name = basename(path, extname(path)).toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '') || 'seccompile-profile';
    return { text: format === 'oci' ? ociProfileJson(profile) : exportK8sProfile(profile, { name }), warnings };
  } catch (e) {
    if (e instanceof OciExportError) throw new UserError(`${path}: cannot be written as an OCI profile: ${e.message}`);
    throw e;
  }
}
