/**
 * What `import ... from 'seccompile'` in a policy file resolves to: this very package, wherever the
 * policy lives. There are two entries: the whole package (src/index.ts, dist/index.js) and the
 * policy entry (src/policy-entry.ts, dist/policy-entry.js: the DSL and the constants, about a
 * fifth of the time to load in a fresh worker). A policy is bundled against the policy entry;
 * `retarget` then points the bundle at the whole package unless every import of the entry is a
 * plain named import of a name the policy entry has. Both entries give the same value for a name
 * both export, so the choice changes how long the load takes, never what the policy sees.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as policyApi from '../policy-entry.js';

/** Absolute paths of the two modules a policy's `import 'seccompile'` may load. */
export interface SeccompileEntries {
  /** The whole package. */
  readonly full: string;
  /** The DSL and constants only (a subset of `full`'s exports, same values). */
  readonly policy: string;
}

/** Whether we run from our TypeScript sources (tests), not from dist/. */
export const fromSource = (): boolean => import.meta.url.endsWith('.ts');

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

/** The entries of this package: its source when we run from source, else dist/. */
export function seccompileEntries(): SeccompileEntries {
  const root = packageRoot();
  return fromSource()
    ? { full: join(root, 'src/index.ts'), policy: join(root, 'src/policy-entry.ts') }
    : { full: join(root, 'dist/index.js'), policy: join(root, 'dist/policy-entry.js') };
}

const POLICY_NAMES: ReadonlySet<string> = new Set(Object.keys(policyApi));

// esbuild prints an external named import as `import { a, b as c } from "URL";` (one or more
// lines). Only that form is understood; anything else mentioning the URL (a namespace or default
// import, a re-export, a dynamic import, the URL in a string) sends the bundle to the whole package.
const NAMED_IMPORT = /import\s*\{([^{}]*)\}\s*from\s*("[^"\n]*");/g;
const IMPORT_NAME = /^([A-Za-z_$][\w$]*)(?:\s+as\s+[A-Za-z_$][\w$]*)?$/;

/**
 * The bundle `code` (which imports the policy entry by the URL `policyUrl`) as it must run: unchanged
 * when the policy entry has every name it imports, else importing `fullUrl` instead; and the URL it
 * imports.
 */
export function retarget(code: string, policyUrl: string, fullUrl: string): { readonly code: string; readonly entry: string } {
  const quoted = JSON.stringify(policyUrl);
  const mentions = code.split(quoted).length - 1;
  let understood = 0;
  for (const m of code.matchAll(NAMED_IMPORT)) {
    if (m[2] !== quoted) continue;
    const names = m[1]!.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (!names.every((s) => POLICY_NAMES.has(IMPORT_NAME.exec(s)?.[1] ?? ''))) break;
    understood++;
  }
  if (understood === mentions) return { code, entry: policyUrl };
  return { code: code.split(quoted).join(JSON.stringify(fullUrl)), entry: fullUrl };
}
