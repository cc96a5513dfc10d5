/**
 * The compile command's OCI side: a .json policy is an OCI / Docker seccomp profile (imported
 * with runc's and libseccomp's semantics), and `--format oci|k8s` writes a policy as a profile or
 * as a Security Profiles Operator SeccompProfile instead of compiling it.
 */
import { basename, extname } from 'node:path';
import type { PolicyIR } from '../ir/types.js';
import { isArchName } from '../syscalls/index.js';
import { UsageError, UserError } from './io.js';

export const EXPORT_FORMATS = ['oci', 'k8s'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function isExportFormat(s: string): s is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(s);
}

export interface OciInputOptions {
  /** --arch: the native arch runc would run on (one). */
  readonly arches?: readonly string[];
  /** --caps: comma-separated capabilities. */
  readonly caps?: string;
  /** --kernel: "6.1". */
  readonly kernel?: string;
}

/** What the compile command needs from any policy file. */
export interface OciLoaded {
  readonly ir: PolicyIR | undefined;
  readonly messages: readonly string[];
  readonly hasErrors: boolean;
  readonly skipped: ReadonlyMap<string, readonly string[]>;
}

export async function loadOciPolicy(path: string, options: OciInputOptions): Promise<OciLoaded> {
  const [{ loadOciFile, unknownCapability, parseKernelVersion }, { formatDiagnostic, hasErrors }] = await Promise.all([
    import('../oci/index.js'),
    import('../ir/diagnostics.js'),
  ]);
  if (options.arches && options.arches.length > 1) throw new UsageError('--arch: an OCI profile names its own architectures; give at most one (the native arch)');
  const native = options.arches?.[0];
  if (native !== undefined && !isArchName(native)) throw new UsageError(`--arch: unknown arch '${native}'`);
  const caps = options.caps === undefined ? undefined : options.caps.split(',').map((c) => c.trim()).filter((c) => c !== '');
  for (const c of caps ?? []) {
    const wrong = unknownCapability(c);
    if (wrong) throw new UsageError(`--caps: ${wrong}`);
  }
  if (options.kernel !== undefined && !parseKernelVersion(options.kernel)) {
    throw new UsageError(`--kernel: '${options.kernel}' is not a kernel version like 6.1`);
  }
  let result;
  try {
    result = await loadOciFile(path, { ...(native ? { arch: native } : {}), ...(caps ? { caps } : {}), ...(options.kernel ? { kernel: options.kernel } : {}) });
  } catch (e) {
    throw new UserError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return {
    ir: result.ir,
    messages: result.diagnostics.map((d) => formatDiagnostic(d, path)),
    hasErrors: hasErrors(result.diagnostics),
    skipped: new Map(),
  };
}

/** The IR as an OCI profile (JSON) or an SPO SeccompProfile (YAML); warnings to report. */
export async function exportPolicy(ir: PolicyIR, format: ExportFormat, path: string): Promise<{ text: string; warnings: readonly string[] }> {
  const { exportOciProfile, exportK8sProfile, ociProfileJson, OciExportError } = await import('../oci/index.js');
  try {
    const { profile, warnings } = exportOciProfile(ir);
    const name = basename(path, extname(path)).toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '') || 'seccompile-profile';
    return { text: format === 'oci' ? ociProfileJson(profile) : exportK8sProfile(profile, { name }), warnings };
  } catch (e) {
    if (e instanceof OciExportError) throw new UserError(`${path}: cannot be written as an OCI profile: ${e.message}`);
    throw e;
  }
}
