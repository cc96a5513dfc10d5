/**
 * Loads a policy file (.ts, .mts, .js, .mjs): bundles it in-process with esbuild (imported
 * lazily, in ./policy-bundle.ts only, so `jail` with a built-in policy never pays for it; bundles
 * are cached by content there), evaluates the bundle,
 * and returns its default export as a PolicySpec.
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
import type { PolicySpec, RuleSpec, SourceLocation } from '../dsl/spec.js';
import type { Diagnostic, DiagnosticCode } from '../ir/diagnostics.js';
import { parseFrame } from '../dsl/site.js';
import { bundlePolicy } from './policy-bundle.js';

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
  const root = packageRoot();
  const fromSource = import.meta.url.endsWith('.ts');
  return join(root, fromSource ? 'src/index.ts' : 'dist/index.js');
}

interface EsbuildMessage {
  text: string;
  location?: { file: string; line: number; column: number } | null;
}

/** What a policy file may be: TypeScript or JavaScript (esbuild treats a name without extension as JavaScript). */
const POLICY_EXTENSIONS: ReadonlySet<string> = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '']);

/** Bundles, evaluates and returns the default export of the policy file at `path`. */
export async function loadPolicyFile(path: string): Promise<LoadedPolicy> {
  const file = resolve(path);
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) fail('policy-file', file, `policy file ${file} does not exist`);
  const ext = extname(file);
  if (!POLICY_EXTENSIONS.has(ext)) {
    fail('policy-file', file, `${file} is not a policy file: a policy is TypeScript or JavaScript (.ts, .mts, .js, .mjs), not '${ext}'`);
  }
  const workDir = dirname(file);
  let bundle: { code: string; map: string };
  try {
    bundle = await bundlePolicy(file, seccompileEntry());
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

  let exported: unknown;
  try {
    await writeFile(bundled, bundle.code);
    const mod = (await import(pathToFileURL(bundled).href)) as { default?: unknown };
    exported = mod.default;
  } catch (e) {
    const frame = e instanceof Error ? e.stack?.split('\n').find((l) => l.includes(bundled)) : undefined;
    const at = mapLocation(frame ? parseFrame(frame) : undefined);
    fail('policy-file', file, `loading ${file} threw: ${e instanceof Error ? e.message : String(e)}`, at);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  if (exported === undefined) {
    fail('policy-file', file, `${file} has no default export: write \`export default policy({ default: ..., rules: [...] })\``, { file, line: 1, column: 1 });
  }
  if (typeof exported !== 'object' || exported === null || (exported as { kind?: unknown }).kind !== 'policy') {
    const got = exported === null ? 'null' : Array.isArray(exported) ? 'an array' : typeof exported;
    fail('policy-file', file, `the default export of ${file} is not a policy (got ${got}): write \`export default policy({...})\` with policy imported from 'seccompile'`, { file, line: 1, column: 1 });
  }
  const spec = exported as PolicySpec;
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
