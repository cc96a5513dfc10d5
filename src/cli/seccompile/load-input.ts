/**
 * What `diff`, `verify` and `test` take: policy files, OCI profiles or compiled `.bpf` filters,
 * loaded through `seccompile/testing`'s `load`, and the `--arch` option that retargets them.
 * A misspelt arch is a usage error naming the option, not a policy error pointing into the file.
 */
import { load, LoadError, type LoadedFilter } from '../../testing/load.js';
import { archByName, unknownArchMessage } from '../../syscalls/index.js';
import { UsageError, UserError } from '../io.js';

/** `--arch` values (repeatable, comma-separated) checked, or undefined when none were given. */
export function parseArchOption(values: readonly string[] | undefined): string[] | undefined {
  if (!values || values.length === 0) return undefined;
  const list = values.flatMap((v) => v.split(',')).map((s) => s.trim());
  if (list.some((s) => s === '')) throw new UsageError('--arch needs an architecture name');
  const unknown = list.find((s) => !archByName(s));
  if (unknown !== undefined) throw new UsageError(`--arch: ${unknownArchMessage(unknown)}`);
  return list;
}

/** `--load-timeout SECONDS` checked (a positive number), or undefined when absent. */
export function parseLoadTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--load-timeout must be a positive number of seconds, not '${value}'`);
  return n;
}

/** `load(path, { arch })` with its failures as a UserError (exit 1) carrying load's message. */
export async function loadInput(path: string, arch: readonly string[] | undefined, loadTimeout?: number): Promise<LoadedFilter> {
  try {
    return await load(path, { ...(arch ? { arch: [...arch] } : {}), ...(loadTimeout !== undefined ? { loadTimeout } : {}) });
  } catch (e) {
    if (e instanceof LoadError) throw new UserError(e.message);
    throw e;
  }
}
