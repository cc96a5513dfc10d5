/**
 * Every import in src/, read with TypeScript's own parser (not a regex): static imports and
 * re-exports, with whether they are type-only, and `import('...')` calls, which load lazily.
 * The layering test builds the folder graph from this.
 */
import ts from 'typescript';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** One import of one src/ file. */
export interface SourceImport {
  /** The importing file, relative to src/ (`launcher/seccomp/policy-source.ts`). */
  readonly file: string;
  /** As written (`../compiler/index.js`, `node:fs`, `esbuild`). */
  readonly specifier: string;
  /** For a relative specifier: the imported file relative to src/, as `.ts`; else undefined. */
  readonly target: string | undefined;
  /** `static` (import/export ... from), `type` (import type / export type) or `dynamic` (import()). */
  readonly kind: 'static' | 'type' | 'dynamic';
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function typeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return true;
    const spec = node.exportClause;
    return !!spec && ts.isNamedExports(spec) && spec.elements.length > 0 && spec.elements.every((e) => e.isTypeOnly);
  }
  const clause = node.importClause;
  if (!clause) return false; // a side-effect import
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return !clause.name && !!named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

/** The imports of one file (absolute path). */
export function importsOf(path: string): SourceImport[] {
  const text = readFileSync(path, 'utf8');
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const file = relative(SRC, path);
  const out: SourceImport[] = [];
  const add = (specifier: string, kind: SourceImport['kind']) => {
    const target = specifier.startsWith('.') ? relative(SRC, resolve(dirname(path), specifier)).replace(/\.js$/, '.ts') : undefined;
    out.push({ file, specifier, target, kind });
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, typeOnly(node) ? 'type' : 'static');
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) add(arg.text, 'dynamic');
      else throw new Error(`${file}: import() of a computed specifier; the layering test cannot check it`);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, 'type');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** The imports of every .ts file under src/. */
export function allImports(): SourceImport[] {
  return walk(SRC).sort().flatMap(importsOf);
}

/** The layer a src/ file belongs to: its top folder, or `index` for src/index.ts and other top-level files. */
export function layerOf(file: string): string {
  const slash = file.indexOf('/');
  return slash < 0 ? file.replace(/\.ts$/, '') : file.slice(0, slash);
}
