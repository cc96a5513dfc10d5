/**
 * Loading a policy source, whatever its form, to the filter it stands for: a policy file (.ts,
 * .js, ...), an OCI seccomp profile (.json), compiled filter bytes (.bpf, or a Uint8Array), or a
 * policy value (a PolicySpec from the DSL, or an already normalized PolicyIR). The file kinds
 * come from the one extension table (./kinds.ts); filters are read and decoded by ./filter.ts.
 * jail, the test API and the commands all load here, so they accept the same inputs and report
 * failures the same way.
 *
 * Only src/bpf is imported up front: the loader (esbuild), the normalizer, the compiler and src/oci
 * load when an input needs them, so jail with a compiled filter pays for none of them.
 */
import type { PolicySpec } from '../ir/spec.js';
import type { PolicyIR } from '../ir/types.js';
import { filterFromBytes, readFilterFile } from './filter.js';
import { fileKind } from './kinds.js';
import { SourceError, type PolicySource, type Source, type SourceOptions } from './types.js';

export { SourceError, type PolicySource, type Source, type SourceDiagnostic, type SourceOptions } from './types.js';
export { sourceKind } from './kinds.js';

/**
 * A policy file, an OCI profile or a policy value, read and normalized, not compiled (what
 * `seccompile compile --format oci` needs). Throws SourceError, also for a compiled filter.
 */
export async function loadPolicySource(input: string | PolicySpec | PolicyIR, options: SourceOptions = {}): Promise<PolicySource> {
  if (typeof input !== 'string') return (await import('./policy.js')).policyFromValue(input, options);
  const kind = fileKind(input, options);
  if (kind === 'oci') return loadOci(input, options);
  if (kind === 'module') return loadModule(input, options);
  throw new SourceError(`${input}: a compiled filter, not a policy`);
}

/** Any source, as the filter it stands for. Throws SourceError. */
export async function loadSource(input: string | PolicySpec | PolicyIR | Uint8Array, options: SourceOptions = {}): Promise<Source> {
  if (input instanceof Uint8Array) return filterFromBytes(input, 'bytes', options.endian);
  if (typeof input === 'string' && fileKind(input, options) === 'filter') return filterFromBytes(readFilterFile(input), input, options.endian);
  const policy = await loadPolicySource(input, options);
  return (await import('./policy.js')).compileSource(policy);
}

async function loadModule(path: string, options: SourceOptions): Promise<PolicySource> {
  const [{ loadPolicyFile, PolicyLoadError }, { formatDiagnostic }] = await Promise.all([import('../loader/policy-file.js'), import('../ir/diagnostics.js')]);
  let loaded;
  try {
    loaded = await loadPolicyFile(path, { ...(options.loadTimeout !== undefined ? { timeout: options.loadTimeout } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  } catch (e) {
    if (e instanceof PolicyLoadError) {
      throw new SourceError(`${path}: cannot load the policy`, e.diagnostics.map((d) => ({ severity: d.severity, text: formatDiagnostic(d) })));
    }
    throw e;
  }
  return (await import('./policy.js')).policyFromValue(loaded.spec, options, path, 'module', loaded.file);
}

async function loadOci(path: string, options: SourceOptions): Promise<PolicySource> {
  const [{ loadOciFile, formatOciDiagnostic }, { archByName, unknownArchMessage }] = await Promise.all([import('../oci/index.js'), import('../syscalls/index.js')]);
  // A profile names its own arches; `arch` can only say which one is native (as runc's host).
  if (options.arch && options.arch.length > 1) throw new SourceError(`${path}: an OCI profile names its own architectures; give at most one arch (the native one), not ${options.arch.join(', ')}`);
  const asked = options.arch?.[0];
  const native = asked === undefined ? undefined : archByName(asked)?.name;
  if (asked !== undefined && native === undefined) throw new SourceError(`${path}: ${unknownArchMessage(asked)}`);
  const caps = options.oci?.caps;
  const kernel = options.oci?.kernel;
  let result;
  try {
    result = await loadOciFile(path, { ...(native ? { arch: native } : {}), ...(caps ? { caps: [...caps] } : {}), ...(kernel ? { kernel } : {}) });
  } catch (e) {
    throw new SourceError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const diagnostics = result.diagnostics.map((d) => ({ severity: d.severity, text: formatOciDiagnostic(d, path) }));
  if (!result.ir) throw new SourceError(`${path}: the profile has errors`, diagnostics);
  return { name: path, kind: 'oci', ir: result.ir, installFlags: result.flags, diagnostics, skipped: [] };
}
