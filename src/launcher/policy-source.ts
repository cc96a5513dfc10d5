/**
 * `--policy NAME|FILE` -> the filter bytes to install, and the up-front check that the filter
 * lets the command start (a policy that denies execve would otherwise fail mysteriously).
 *
 * - a built-in name (`default`, `net-off`, ...): the precompiled `<package>/bpf/<name>.<arch>.bpf`,
 *   read as is: no compiler, wabt or esbuild is loaded on this path;
 * - `*.bpf`: raw `struct sock_filter` bytes (as `seccompile compile -o` writes them);
 * - `*.ts`, `*.mts`, `*.js`, `*.mjs`: a policy module, compiled on the spot (the compiler is
 *   imported dynamically, only here);
 * - `*.json`: an OCI/Docker seccomp profile, imported as runc + libseccomp would apply it with
 *   Docker's default capabilities (src/oci), then compiled; also imported only here.
 * Every filter, built-ins included (`stdio` denies execve on purpose), is validated in the host
 * byte order, checked to allow execve and to need no user-notification listener
 * (./policy-check.ts); the syscall tables are not loaded on this path.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../ir/diagnostics.js';
import { LaunchError, setupError } from './launch-error.js';
import { hostArchName } from './linux.js';
import { checkPolicy } from './policy-check.js';
import { packageRoot } from './package-root.js';
import type { SeccompFilter } from './spec.js';

const STEP = 'policy';
const POLICY_MODULE = /\.(ts|mts|js|mjs)$/;

/** Names of the built-in policies precompiled for this machine's arch. */
export function builtinPolicies(): string[] {
  const suffix = `.${hostArchName()}.bpf`;
  try {
    return readdirSync(join(packageRoot(), 'bpf'))
      .filter((f) => f.endsWith(suffix))
      .map((f) => f.slice(0, -suffix.length))
      .sort();
  } catch {
    return [];
  }
}

/** A filter holds at most 4096 instructions of 8 bytes (BPF_MAXINSNS). */
const MAX_FILTER_BYTES = 4096 * 8;

/**
 * The bytes of a filter file, read only up to one byte past the largest filter: a larger file
 * (or a device that never ends) is refused without reading it all.
 */
function readFile(path: string, what: string): Uint8Array {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(MAX_FILTER_BYTES + 1);
    let total = 0;
    for (let n; total < buffer.length && (n = readSync(fd, buffer, total, buffer.length - total, null)) > 0; ) total += n;
    if (total > MAX_FILTER_BYTES) throw new Error(`larger than 4096 instructions (${MAX_FILTER_BYTES} bytes), the most the kernel accepts in a filter`);
    return buffer.subarray(0, total);
  } catch (e) {
    throw setupError(STEP, `cannot read ${what} ${path}: ${(e as Error).message}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** How a .ts/.js policy's own code may run while it loads (see src/loader/isolate.ts). */
export interface PolicyLoadLimits {
  /** Seconds (default: the loader's). */
  readonly timeout?: number;
  /** Aborting ends the load (a signal while jail sets up). */
  readonly signal?: AbortSignal;
}

/** The filter bytes `--policy spec` names (host byte order). */
export async function resolvePolicy(spec: string, limits: PolicyLoadLimits = {}): Promise<SeccompFilter> {
  if (spec.endsWith('.json')) return checkPolicy({ name: spec, bytes: await compileOciProfile(spec) });
  if (spec.endsWith('.bpf')) return checkPolicy({ name: spec, bytes: readFile(spec, 'filter') });
  if (POLICY_MODULE.test(spec)) return checkPolicy({ name: spec, bytes: await compilePolicyModule(spec, limits) });
  if (spec.includes('/')) throw setupError(STEP, `${spec}: expected a .bpf, .ts, .js or .json policy file`);
  const file = join(packageRoot(), 'bpf', `${spec}.${hostArchName()}.bpf`);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(spec) || !existsSync(file)) {
    const known = builtinPolicies();
    const list = known.length > 0 ? `built-in policies: ${known.join(', ')}` : `no built-in policies in ${join(packageRoot(), 'bpf')}`;
    throw setupError(STEP, `unknown policy "${spec}" (${list}; or give a .bpf/.ts/.js file)`);
  }
  return checkPolicy({ name: spec, bytes: readFile(file, 'built-in filter') });
}

/** Imports and compiles an OCI seccomp profile; src/oci and the compiler load only now. */
async function compileOciProfile(path: string): Promise<Uint8Array> {
  if (!existsSync(path)) throw setupError(STEP, `${path}: no such policy file`);
  const [{ loadOciFile, formatOciDiagnostic }, { compile, encodeFilter }] = await Promise.all([
    import('../oci/index.js'),
    import('../compiler/index.js'),
  ]);
  try {
    const { ir, diagnostics } = await loadOciFile(path);
    if (!ir) {
      const errors = diagnostics.filter((d) => d.severity === 'error');
      const more = errors.length > 1 ? ` (and ${errors.length - 1} more; see seccompile compile)` : '';
      throw setupError(STEP, `${errors[0] ? formatOciDiagnostic(errors[0], path) : `${path}: invalid profile`}${more}`);
    }
    return encodeFilter(compile(ir));
  } catch (e) {
    if (e instanceof LaunchError) throw e;
    throw setupError(STEP, `${path}: ${(e as Error).message}`);
  }
}

/** Compiles a policy module; the loader (esbuild) and the compiler are imported only now. */
async function compilePolicyModule(path: string, limits: PolicyLoadLimits): Promise<Uint8Array> {
  if (!existsSync(path)) throw setupError(STEP, `${path}: no such policy file`);
  const [{ loadPolicyFile, PolicyLoadError }, { normalize }, { compile, encodeFilter }, { formatDiagnostic }] = await Promise.all([
    import('../loader/policy-file.js'),
    import('../ir/normalize.js'),
    import('../compiler/index.js'),
    import('../ir/diagnostics.js'),
  ]);
  const describe = (list: readonly Diagnostic[]) => {
    const errors = list.filter((d) => d.severity === 'error');
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more; see seccompile compile)` : '';
    return `${errors[0] ? formatDiagnostic(errors[0]) : 'invalid policy'}${more}`;
  };
  try {
    const loaded = await loadPolicyFile(path, limits);
    const { ir, diagnostics } = normalize(loaded.spec, { sourceFile: loaded.file });
    if (!ir) throw setupError(STEP, describe(diagnostics));
    return encodeFilter(compile(ir));
  } catch (e) {
    if (e instanceof PolicyLoadError) throw setupError(STEP, describe(e.diagnostics));
    if (e instanceof LaunchError) throw e;
    throw setupError(STEP, `${path}: ${(e as Error).message}`);
  }
}
