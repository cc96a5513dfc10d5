/**
 * The layers of src/ and the arrows allowed between them, declared once. Each top folder is a
 * layer (src/index.ts and the other top-level files are `index`); a file may import its own
 * layer and the layers its row lists, and nothing else. `static` allows any import, `lazy`
 * only `import()` and type imports (the arrow must not cost start-up), `type` only types.
 * The table must stay exact: an arrow the code no longer uses fails too, so the list is the
 * documentation of who depends on whom. The declared graph has no cycles.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { allImports, layerOf, type SourceImport } from './support/imports.js';

type Use = 'static' | 'lazy' | 'type';

const LAYERS: Readonly<Record<string, Readonly<Record<string, Use>>>> = {
  // Generic classic BPF: imports nothing else from src/.
  bpf: {},
  // The kernel's seccomp ABI on top of BPF.
  seccomp: { bpf: 'static' },
  // Generated tables and Arch descriptors.
  syscalls: { seccomp: 'static' },
  // The rule IR, its PolicySpec input and its diagnostics.
  ir: { seccomp: 'static', syscalls: 'static' },
  // What a policy file imports: types only from below, so it loads anywhere.
  dsl: { ir: 'type', syscalls: 'type' },
  compiler: { bpf: 'static', ir: 'static', seccomp: 'static' },
  wasm: { bpf: 'static', seccomp: 'static' },
  analysis: { bpf: 'static', compiler: 'type', ir: 'static', seccomp: 'static', syscalls: 'static' },
  // Learn mode's policy writer: observed calls -> DSL text and cases lines.
  learn: { syscalls: 'static' },
  loader: { dsl: 'static', ir: 'type', 'policy-entry': 'static' },
  oci: { ir: 'static', loader: 'static', seccomp: 'static', syscalls: 'static' },
  // Policy sources of every kind (files, profiles, filters, values) -> filters; the one loader.
  // Of src/loader it reads the extension table up front (FILES below: nothing else).
  source: { bpf: 'static', compiler: 'static', ir: 'static', loader: 'static', oci: 'lazy', seccomp: 'type', syscalls: 'lazy' },
  testing: { analysis: 'static', bpf: 'static', dsl: 'static', ir: 'type', seccomp: 'static', source: 'static', syscalls: 'static' },
  // The launcher reads policies through src/source; of src/syscalls it loads the Arch descriptors
  // and the small host table up front (STARTUP below), the tables only to name calls in an error.
  launcher: { bpf: 'static', seccomp: 'static', source: 'static', syscalls: 'static' },
  cli: {
    analysis: 'static',
    bpf: 'static',
    compiler: 'static',
    ir: 'static',
    launcher: 'static',
    learn: 'static',
    loader: 'static',
    oci: 'lazy',
    seccomp: 'static',
    source: 'static',
    syscalls: 'static',
    testing: 'static',
    wasm: 'static',
  },
  // The package root (src/index.ts): what a policy file imports.
  index: { dsl: 'static', syscalls: 'static' },
  // The DSL-only entry a policy's worker loads when the policy needs nothing else (src/loader).
  'policy-entry': { dsl: 'static', syscalls: 'static' },
  // The subpath exports (package.json "exports"): the tools, each its own surface.
  exports: {
    analysis: 'static',
    bpf: 'static',
    cli: 'type',
    compiler: 'static',
    ir: 'static',
    learn: 'static',
    loader: 'static',
    oci: 'static',
    seccomp: 'static',
    syscalls: 'static',
    wasm: 'static',
  },
};

/**
 * Packages other than Node's: which layer may import them, and how. Heavy ones load lazily so
 * that a command that does not need them does not pay for them.
 */
const PACKAGES: Readonly<Record<string, Readonly<Record<string, Use>>>> = {
  arg: { cli: 'static' },
  esbuild: { loader: 'lazy' },
  koffi: { launcher: 'static' },
  wabt: { wasm: 'lazy' },
};

/** Layers that may use Node's built-in modules; the others run anywhere a policy is written or evaluated. */
const NODE = new Set(['cli', 'launcher', 'loader', 'oci', 'source', 'testing']);

/** Narrower rules for single files, each with its reason. */
const FILES: readonly { readonly files: RegExp; readonly only?: RegExp; readonly never?: RegExp; readonly lazy?: RegExp; readonly why: string }[] = [
  {
    files: /^(compiler\/|ir\/(semantics|rule-index|nr-spans)\.ts$)/,
    only: /^(bpf|seccomp|syscalls|compiler)\/|^ir\/(types|semantics|rule-index|nr-spans|operators)\.ts$/,
    why: 'the compiler and the IR semantics it is checked against use only the generic layers and the IR types',
  },
  {
    files: /^(?!wasm\/|cli\/seccompile\/commands\/(eval|verify|wasm)\.ts$|exports\/bpf\.ts$)/,
    never: /^wasm\//,
    why: 'the JIT is loaded only by the commands that run it and seccompile/bpf',
  },
  { files: /^cli\/seccompile\/commands\/(eval|verify)\.ts$/, lazy: /^wasm\//, why: 'eval and verify load the JIT only when they use it' },
  { files: /^(?!wasm\/)/, lazy: /^wasm\/wabt\.ts$/, why: 'wabt is large: only the paths that need it load it' },
  { files: /^source\//, lazy: /^loader\/(?!extensions\.ts$)/, why: 'src/source loads the policy file loader (esbuild, its worker) only for a policy module' },
];

/**
 * Entry points whose start-up must not load the modules listed: every module they reach by
 * static imports alone is checked. jail with a compiled filter runs no compiler, bundler or JIT.
 */
const STARTUP: readonly { readonly entry: string; readonly never: RegExp; readonly why: string }[] = [
  {
    entry: 'cli/jail/jail.ts',
    never: /^(compiler|oci|wasm|analysis|dsl)\/|^loader\/(policy-file|policy-bundle|isolate)\.ts$|^ir\/normalize\.ts$|^syscalls\/(index|tables)\.ts$|^source\/policy\.ts$/,
    why: 'jail with a built-in or .bpf policy must not pay for the compiler side, the JIT or the syscall tables',
  },
  {
    entry: 'cli/jail/jail.ts',
    never: /^launcher\/seccomp\/notify-filter\.ts$/,
    why: 'the filters that notify the supervisor are made once, when jail.ts chooses --learn or the denial report, and passed along in JailSpec.notify',
  },
];

const allowed = (use: Use | undefined, kind: SourceImport['kind']): boolean =>
  use === 'static' || (use === 'lazy' && kind !== 'static') || (use === 'type' && kind === 'type');

const imports = allImports();

test('every import between layers is an arrow of the table, used the way it allows', () => {
  const bad = imports
    .filter((i) => i.target && layerOf(i.file) !== layerOf(i.target))
    .filter((i) => !allowed(LAYERS[layerOf(i.file)]?.[layerOf(i.target!)], i.kind))
    .map((i) => `${i.file} -> ${i.target} (${i.kind}; ${layerOf(i.file)} allows ${layerOf(i.target!)}: ${LAYERS[layerOf(i.file)]?.[layerOf(i.target!)] ?? 'no'})`);
  assert.equal(bad, [], 'add the arrow to LAYERS only if the dependency is meant');
});

test('every layer has a row and every arrow of the table is used', () => {
  const layers = new Set(imports.map((i) => layerOf(i.file)));
  assert.equal([...layers].filter((l) => !(l in LAYERS)), [], 'a new folder needs a row in LAYERS');
  const used = new Set(imports.filter((i) => i.target).map((i) => `${layerOf(i.file)} -> ${layerOf(i.target!)}`));
  const unused = Object.entries(LAYERS).flatMap(([from, row]) => Object.keys(row).map((to) => `${from} -> ${to}`)).filter((a) => !used.has(a));
  assert.equal(unused, [], 'remove arrows the code no longer uses');
});

test('the declared layers have no cycles', () => {
  const state = new Map<string, 'open' | 'done'>();
  const visit = (layer: string, path: string[]): void => {
    if (state.get(layer) === 'done') return;
    assert.not.ok(state.get(layer) === 'open', `cycle: ${[...path, layer].join(' -> ')}`);
    state.set(layer, 'open');
    for (const next of Object.keys(LAYERS[layer] ?? {})) visit(next, [...path, layer]);
    state.set(layer, 'done');
  };
  for (const layer of Object.keys(LAYERS)) visit(layer, []);
  for (const [from, row] of Object.entries(LAYERS)) for (const to of Object.keys(row)) assert.ok(to in LAYERS, `${from} -> ${to}: no such layer`);
});

test('packages are imported only by the layers listed, the way listed; Node built-ins only where declared', () => {
  const bad: string[] = [];
  for (const i of imports.filter((x) => !x.target)) {
    const layer = layerOf(i.file);
    if (i.specifier.startsWith('node:')) {
      if (!NODE.has(layer) && i.kind !== 'type') bad.push(`${i.file} imports ${i.specifier}`);
      continue;
    }
    const name = i.specifier.startsWith('@') ? i.specifier.split('/').slice(0, 2).join('/') : i.specifier.split('/')[0]!;
    if (!allowed(PACKAGES[name]?.[layer], i.kind)) bad.push(`${i.file} imports ${i.specifier} (${i.kind})`);
  }
  assert.equal(bad, []);
});

test('file rules', () => {
  const bad: string[] = [];
  for (const rule of FILES) {
    for (const i of imports.filter((x) => x.target && rule.files.test(x.file))) {
      if (rule.only && !rule.only.test(i.target!)) bad.push(`${i.file} -> ${i.target}: ${rule.why}`);
      if (rule.never?.test(i.target!)) bad.push(`${i.file} -> ${i.target}: ${rule.why}`);
      if (rule.lazy && rule.lazy.test(i.target!) && i.kind === 'static') bad.push(`${i.file} -> ${i.target} statically: ${rule.why}`);
    }
  }
  assert.equal(bad, []);
});

test('start-up paths load only what they need', () => {
  const byFile = new Map<string, SourceImport[]>();
  for (const i of imports) byFile.set(i.file, [...(byFile.get(i.file) ?? []), i]);
  for (const rule of STARTUP) {
    assert.ok(byFile.has(rule.entry), `${rule.entry} is not a source file`);
    const seen = new Set<string>([rule.entry]);
    const queue = [rule.entry];
    const via = new Map<string, string>();
    for (let file; (file = queue.shift()) !== undefined; ) {
      for (const i of byFile.get(file) ?? []) {
        if (i.kind !== 'static' || !i.target || seen.has(i.target)) continue;
        seen.add(i.target);
        via.set(i.target, file);
        queue.push(i.target);
      }
    }
    const chain = (f: string): string => (via.has(f) ? `${chain(via.get(f)!)} -> ${f}` : f);
    assert.equal([...seen].filter((f) => rule.never.test(f)).map(chain), [], rule.why);
  }
});

test('the scanner sees what it must: a type import, a lazy import and a re-export', () => {
  const find = (file: string, target: string) => imports.filter((i) => i.file === file && i.target === target).map((i) => i.kind);
  assert.ok(find('dsl/builders.ts', 'ir/spec.ts').every((k) => k === 'type') && find('dsl/builders.ts', 'ir/spec.ts').length > 0);
  assert.ok(imports.some((i) => i.file === 'loader/policy-bundle.ts' && i.specifier === 'esbuild' && i.kind === 'dynamic'));
  assert.ok(imports.some((i) => i.file === 'index.ts' && i.kind === 'static' && i.target === 'dsl/index.ts'));
});

test.run();
