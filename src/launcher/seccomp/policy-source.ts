/**
 * `--policy NAME|FILE` -> the filter bytes to install, and the up-front check that the filter
 * lets the command start (a policy that denies execve would otherwise fail mysteriously).
 *
 * - a built-in name (`default`, `net-off`, ...): the precompiled `<package>/bpf/<name>.<arch>.bpf`,
 *   read as is: no compiler, wabt or esbuild is loaded on this path;
 * - a file, by its extension (src/source/kinds.ts, the table every command uses): `*.bpf` raw
 *   `struct sock_filter` bytes (as `seccompile compile -o` writes them); `*.ts`, `*.js`, ... a
 *   policy module, compiled on the spot; `*.json` an OCI/Docker seccomp profile, imported as runc
 *   + libseccomp would apply it with Docker's default capabilities, then compiled. src/source
 *   imports the loader, the compiler and src/oci only for those last two.
 * A profile's `flags` (how runc would call seccomp(2)) are checked against what jail installs
 * with: one it does not honour is refused, not dropped.
 * Every filter, built-ins included (`stdio` denies execve on purpose), is validated in the host
 * byte order, checked to allow execve and to need no user-notification listener
 * (./policy-check.ts); the syscall tables are not loaded on this path.
 */
import { existsSync, readdirSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { encode } from '../../bpf/encode.js';
import { describeExtensions, sourceKind } from '../../source/kinds.js';
import { loadSource, SourceError, type Source } from '../../source/load.js';
import { setupError } from '../launch-error.js';
import { hostArchName } from '../linux.js';
import { checkInstallFlags, checkPolicy } from './policy-check.js';
import { packageRoot } from '../package-root.js';
import type { SeccompFilter } from '../spec.js';

const STEP = 'policy';
const HOST_ENDIAN = endianness() === 'LE' ? 'little' : 'big';

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

/** How a .ts/.js policy's own code may run while it loads (see src/loader/isolate.ts). */
export interface PolicyLoadLimits {
  /** Seconds (default: the loader's). */
  readonly timeout?: number;
  /** Aborting ends the load (a signal while jail sets up). */
  readonly signal?: AbortSignal;
}

/** The filter bytes `--policy spec` names (host byte order). */
export async function resolvePolicy(spec: string, limits: PolicyLoadLimits = {}): Promise<SeccompFilter> {
  const kind = sourceKind(spec);
  if (kind) {
    if (kind !== 'filter' && !existsSync(spec)) throw setupError(STEP, `${spec}: no such policy file`);
    return checked(spec, await load(spec, limits));
  }
  if (spec.includes('/')) throw setupError(STEP, `${spec}: not a policy source: ${describeExtensions()}`);
  const file = join(packageRoot(), 'bpf', `${spec}.${hostArchName()}.bpf`);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(spec) || !existsSync(file)) {
    const known = builtinPolicies();
    const list = known.length > 0 ? `built-in policies: ${known.join(', ')}` : `no built-in policies in ${join(packageRoot(), 'bpf')}`;
    throw setupError(STEP, `unknown policy "${spec}" (${list}; or give a file: ${describeExtensions()})`);
  }
  return checked(spec, await load(file, limits));
}

/**
 * Loads through src/source (which imports the compiler, the loader and src/oci only for a policy
 * that needs them), in the host byte order; failures name the first error.
 */
async function load(path: string, limits: PolicyLoadLimits): Promise<Source> {
  try {
    return await loadSource(path, {
      endian: HOST_ENDIAN,
      ...(limits.timeout !== undefined ? { loadTimeout: limits.timeout } : {}),
      ...(limits.signal ? { signal: limits.signal } : {}),
    });
  } catch (e) {
    if (!(e instanceof SourceError)) throw setupError(STEP, `${path}: ${(e as Error).message}`);
    const [first, ...more] = e.errors;
    if (!first) throw setupError(STEP, e.message);
    throw setupError(STEP, `${first.text}${more.length > 0 ? ` (and ${more.length} more; see seccompile compile)` : ''}`);
  }
}

/** The filter, once policy-check.ts accepts its bytes and the flags it asks to be installed with. */
function checked(name: string, source: Source): Promise<SeccompFilter> {
  checkInstallFlags(name, source.installFlags);
  const bytes = encode(source.program, source.endian);
  // src/source validated the program in its byte order; in another than the host's, check the bytes.
  return checkPolicy({ name, bytes }, source.endian === HOST_ENDIAN ? source.program : undefined);
}
