/**
 * Loads a policy file (TypeScript or JavaScript: the module rows of ./extensions.ts): bundles it
 * with esbuild (imported lazily, in ./policy-bundle.ts only, so `jail` with a built-in policy
 * never pays for it; bundles are cached by content there), evaluates the bundle in a worker
 * thread with time and heap limits (./isolate.ts: a policy file is code, maybe not the user's
 * own), and returns its default export as a PolicySpec.
 *
 * `import ... from 'seccompile'` resolves to this very package (./entry.ts: its source when we
 * run from source, else its dist/; its policy entry or all of it), wherever the policy file lives
 * and whether or not seccompile is installed there; everything else the file imports (local helpers, packages next to it) is
 * bundled from the file's own directory. The bundle is written to a fresh temp directory and
 * imported from there, with a source map used to turn the locations the DSL records (and the
 * position of an exception) back into file:line:column of the policy's own sources.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PolicySpec, RuleSpec, SourceLocation } from '../ir/spec.js';
import type { Diagnostic, DiagnosticCode } from '../ir/diagnostics.js';
import { parseFrame } from '../dsl/site.js';
import { bundlePolicy, type PolicyBundle } from './policy-bundle.js';
import { extensionsOf } from './extensions.js';
import { fromSource, seccompileEntries, type SeccompileEntries } from './entry.js';
import { startIsolate, type Isolate, type IsolateOptions, type IsolateOutcome } from './isolate.js';

export interface LoadedPolicy {
  readonly spec: PolicySpec;
  /** Absolute path of the policy file. */
  readonly file: string;
}

/** A policy file that cannot be loaded; `diagnostics` say where (file:line:column when known). */
export class PolicyLoadError extends Error {
  override readonly name = 'PolicyLoadError';
  constructor(
    readonly diagnostics: readonly Diagnostic[],
    readonly file: string,
  ) {
    super(diagnostics.map((d) => (d.location ? `${d.location.file}:${d.location.line}:${d.location.column}: ` : '') + d.message).join('\n'));
  }
}

function fail(code: DiagnosticCode, file: string, message: string, location?: SourceLocation): never {
  throw new PolicyLoadError([{ code, severity: 'error', message, path: '', ...(location ? { location } : {}) }], file);
}

interface EsbuildMessage {
  text: string;
  location?: { file: string; line: number; column: number } | null;
}

/** The worker `startEarly` started, for the next load to take. */
let early: Isolate | undefined;

function isolateFor(entries: SeccompileEntries): Isolate {
  return startIsolate({ entry: pathToFileURL(entries.policy).href, ...(fromSource() ? { tsx: import.meta.resolve('tsx/esm/api') } : {}) });
}

/**
 * Starts the worker of the next loadPolicyFile now: a CLI that knows it will load a policy file
 * calls this before its own modules for the command load, so that the worker's start (Node's,
 * ~30 ms of CPU) overlaps with them. Until the load takes it, it keeps no process alive.
 */
export function startEarly(): void {
  early ??= isolateFor(seccompileEntries());
}

/** Ends the worker startEarly started if no load took it (the command failed before loading). */
export function discardEarly(): void {
  early?.dispose();
  early = undefined;
}

/** How a policy file's code may run while it loads. */
export type PolicyLoadOptions = IsolateOptions;

/**
 * Bundles the policy file at `path`, evaluates it in a worker (./isolate.ts: time and heap
 * limits) and returns its default export. Every way the code can fail to export a policy is a
 * PolicyLoadError naming the file and what happened.
 */
export async function loadPolicyFile(path: string, options: PolicyLoadOptions = {}): Promise<LoadedPolicy> {
  const file = resolve(path);
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) fail('policy-file', file, `policy file ${file} does not exist`);
  // A module extension of the table as written: esbuild picks its loader by the extension's case
  // (it has none for `.TS`), and reads a name without extension as JavaScript.
  const ext = extname(file);
  const modules = extensionsOf('module');
  if (ext !== '' && !modules.includes(ext)) {
    fail('policy-file', file, `${file} is not a policy file: a policy is TypeScript or JavaScript (${modules.join(', ')}), not '${ext}'`);
  }
  const entries = seccompileEntries();
  // The worker starts now (unless startEarly did), so that Node's start and the policy entry load
  // while esbuild bundles (or the cached bundle is checked); a bundle that needs the whole package
  // loads it later.
  const isolate = early ?? isolateFor(entries);
  early = undefined;
  try {
    return await bundleAndEvaluate(file, entries, isolate, options);
  } finally {
    isolate.dispose();
  }
}

async function bundleAndEvaluate(file: string, entries: SeccompileEntries, isolate: Isolate, options: PolicyLoadOptions): Promise<LoadedPolicy> {
  const workDir = dirname(file);
  let bundle: PolicyBundle;
  try {
    bundle = await bundlePolicy(file, entries);
  } catch (e) {
    const errors = (e as { errors?: EsbuildMessage[] }).errors;
    if (!errors?.length) throw e;
    throw new PolicyLoadError(
      errors.map((m) => ({
        code: 'syntax-error' as const,
        severity: 'error' as const,
        message: m.text,
        path: '',
        ...(m.location ? { location: { file: resolve(workDir, m.location.file), line: m.location.line, column: m.location.column + 1 } } : {}),
      })),
      file,
    );
  }

  const dir = await mkdtemp(join(tmpdir(), 'seccompile-policy-'));
  const bundled = join(dir, 'policy.mjs');
  const sourceMap = new SourceMap(JSON.parse(bundle.map) as ConstructorParameters<typeof SourceMap>[0]);
  const mapLocation = (loc: SourceLocation | undefined): SourceLocation | undefined => {
    if (!loc || loc.file !== bundled) return loc;
    const entry = sourceMap.findEntry(loc.line - 1, loc.column - 1) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    if (entry.originalSource === undefined) return { ...loc, file };
    const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : resolve(workDir, entry.originalSource);
    return { file: source, line: entry.originalLine! + 1, column: entry.originalColumn! + 1 };
  };

  let outcome: IsolateOutcome;
  try {
    await writeFile(bundled, bundle.code);
    outcome = await isolate.evaluate(pathToFileURL(bundled).href, bundle.entry, options);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const spec = exportedPolicy(outcome, file, (stack) => {
    const frame = stack?.split('\n').find((l) => l.includes(bundled));
    return mapLocation(frame ? parseFrame(frame) : undefined);
  });
  const rules = Array.isArray(spec.rules)
    ? spec.rules.map((r): RuleSpec => {
        if (r === null || typeof r !== 'object' || !r.location) return r;
        const location = mapLocation(r.location);
        return Object.freeze({ ...r, ...(location ? { location } : {}) });
      })
    : spec.rules;
  const location = mapLocation(spec.location);
  return { spec: Object.freeze({ ...spec, rules: Object.freeze(rules), ...(location ? { location } : {}) }), file };
}

/** The policy an isolated evaluation exported, or a PolicyLoadError saying what happened instead. */
function exportedPolicy(outcome: IsolateOutcome, file: string, locate: (stack: string | undefined) => SourceLocation | undefined): PolicySpec {
  const top = { file, line: 1, column: 1 };
  switch (outcome.kind) {
    case 'exported':
      return outcome.value as PolicySpec;
    case 'no-default':
      return fail('policy-file', file, `${file} has no default export: write \`export default policy({ default: ..., rules: [...] })\``, top);
    case 'not-policy':
      return fail('policy-file', file, `the default export of ${file} is not a policy (got ${outcome.got}): write \`export default policy({...})\` with policy imported from 'seccompile'`, top);
    case 'not-data':
      return fail('policy-file', file, `the default export of ${file} is not plain data (${outcome.message}): a policy holds only objects, arrays, strings, numbers and bigints`, top);
    case 'threw':
      return fail('policy-file', file, `loading ${file} threw: ${outcome.message}`, locate(outcome.stack));
    case 'exit':
      return fail('policy-file', file, `loading ${file} called process.exit(${outcome.code}) instead of exporting a policy`);
    case 'unsettled':
      return fail('policy-file', file, `loading ${file} never finished: its top-level await waits for something that never settles, so it exported no policy`);
    case 'timeout':
      return fail('policy-file', file, `loading ${file} did not finish within ${outcome.seconds}s (an endless loop, or a top-level await that never settles?); give it longer with --load-timeout SECONDS (the loadTimeout option of load())`);
    case 'out-of-memory':
      return fail('policy-file', file, `loading ${file} ran out of memory (its heap is limited to ${outcome.heapMb} MB)`);
    case 'interrupted':
      return fail('policy-file', file, `loading ${file} was interrupted`);
  }
}
