/**
 * Loads a policy file (.ts, .mts, .js, .mjs): bundles it with esbuild (imported lazily, in
 * ./policy-bundle.ts only, so `jail` with a built-in policy never pays for it; bundles are
 * cached by content there), evaluates the bundle in a worker
 * thread with time and heap limits (./isolate.ts: a policy file is code, maybe not the user's
 * own), and returns its default export as a PolicySpec.
 *
 * `import ... from 'seccompile'` resolves to this very package (its source when we run from
 * source, else its dist/), wherever the policy file lives and whether or not seccompile is
 * installed there; everything else the file imports (local helpers, packages next to it) is
 * bundled from the file's own directory. The bundle is written to a fresh temp directory and
 * imported from there, with a source map used to turn the locations the DSL records (and the
 * position of an exception) back into file:line:column of the policy's own sources.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PolicySpec, RuleSpec, SourceLocation } from '../ir/spec.js';
import type { Diagnostic, DiagnosticCode } from '../ir/diagnostics.js';
import { parseFrame } from '../dsl/site.js';
import { bundlePolicy } from './policy-bundle.js';
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

/** This package's root directory (where its package.json names it 'seccompile'). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'seccompile') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('seccompile: cannot find its own package.json above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** What `import 'seccompile'` in a policy file means: our source when we run from source, else dist/. */
export function seccompileEntry(): string {
  return join(packageRoot(), fromSource() ? 'src/index.ts' : 'dist/index.js');
}

/** Whether we run from our TypeScript sources (tests), not from dist/. */
const fromSource = (): boolean => import.meta.url.endsWith('.ts');

interface EsbuildMessage {
  text: string;
  location?: { file: string; line: number; column: number } | null;
}

/** What a policy file may be: TypeScript or JavaScript (esbuild treats a name without extension as JavaScript). */
const POLICY_EXTENSIONS: ReadonlySet<string> = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '']);

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
  const ext = extname(file);
  if (!POLICY_EXTENSIONS.has(ext)) {
    fail('policy-file', file, `${file} is not a policy file: a policy is TypeScript or JavaScript (.ts, .mts, .js, .mjs), not '${ext}'`);
  }
  const entry = seccompileEntry();
  // The worker starts now, so that Node's start and our modules load while esbuild bundles.
  const isolate = startIsolate({ entry: pathToFileURL(entry).href, ...(fromSource() ? { tsx: import.meta.resolve('tsx/esm/api') } : {}) });
  try {
    return await bundleAndEvaluate(file, entry, isolate, options);
  } finally {
    isolate.dispose();
  }
}

async function bundleAndEvaluate(file: string, entry: string, isolate: Isolate, options: PolicyLoadOptions): Promise<LoadedPolicy> {
  const workDir = dirname(file);
  let bundle: { code: string; map: string };
  try {
    bundle = await bundlePolicy(file, entry);
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
    outcome = await isolate.evaluate(pathToFileURL(bundled).href, options);
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
