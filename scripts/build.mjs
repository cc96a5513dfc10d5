// Bundles the CLIs and the library with esbuild into dist/, compiles the built-in policies
// (policies/*.ts -> dist/policies/*.js and .d.ts, for `import base from 'seccompile/policies/default'`),
// then emits type declarations. Source maps only on request (SECCOMPILE_SOURCEMAPS=1): they
// would more than double the unpacked size for a stack trace most users never read.
// Code splitting keeps heavy, rarely needed modules (wabt, the compiler, esbuild itself) in
// chunks that load only when a command needs them: `jail` with a built-in policy must not pay for them.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// `npm pack` and `npm publish` run prepack, then prepare: prepack has built already.
if (process.env.npm_lifecycle_event === 'prepare' && ['pack', 'publish'].includes(process.env.npm_command ?? '')) process.exit(0);
// The package root and its subpath exports (package.json "exports"): dist/NAME.js each.
// policy-entry: what the policy loader's worker imports for a policy that needs only the DSL and
// constants (src/policy-entry.ts); built with index so that both share the same module instances.
const entries = {
  index: 'src/index.ts',
  'policy-entry': 'src/policy-entry.ts',
  testing: 'src/testing/index.ts',
  compiler: 'src/exports/compiler.ts',
  bpf: 'src/exports/bpf.ts',
  oci: 'src/exports/oci.ts',
  analysis: 'src/exports/analysis.ts',
  constants: 'src/exports/constants.ts',
  learn: 'src/exports/learn.ts',
};

rmSync(join(root, 'dist'), { recursive: true, force: true });
const common = {
  absWorkingDir: root,
  entryPoints: entries,
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: process.env.SECCOMPILE_SOURCEMAPS === '1' ? 'linked' : false,
  // Native addon, the big emscripten build, and esbuild's own binary stay as installed packages.
  external: ['koffi', 'wabt', 'esbuild'],
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
};
await build({ ...common, entryPoints: entries });
// The seccompile CLI is one file: Node 20's ES module loader costs ~3 ms of CPU per module, and
// the ~25 chunks a compile loaded when it shared chunks with the library made `seccompile
// profile.json` take 2.4x the CPU of `node -e 0` (1.3x as one file; V8 parses the functions a
// command does not run only lazily). Its dynamic imports are inlined and run on first use.
await build({ ...common, entryPoints: { 'cli/seccompile': 'src/cli/seccompile/seccompile.ts' }, splitting: false });
// jail is built on its own: its start-up path then loads only its own small chunks (chunks
// shared with the other entries cost ~4 ms more), and its init stage, which runs before every
// command, is one CommonJS file (~8 ms less CPU than the same code as ES module chunks).
// Measurements: bench/README.md ("jail start-up"), docs/jail.md ("Start-up cost") and bench/jail.bench.ts.
await build({ ...common, entryPoints: { 'cli/jail': 'src/cli/jail/jail.ts' }, chunkNames: 'chunks/jail-[name]-[hash]' });
// `jail ps` and `jail stop` (bin/jail picks this entry for them): one file with the registry
// and nothing of the run path; built apart so jail's own chunks stay as they are.
await build({ ...common, entryPoints: { 'cli/jail-admin': 'src/cli/jail/jail-admin.ts' }, splitting: false });
await build({ ...common, entryPoints: { 'cli/jail-init': 'src/cli/jail/jail-init.ts' }, splitting: false, format: 'cjs', outExtension: { '.js': '.cjs' } });
await build({ ...common, entryPoints: { 'cli/jail-notify': 'src/launcher/seccomp/notify-worker.ts' }, splitting: false, format: 'cjs', outExtension: { '.js': '.cjs' } });
// Built-in policies: one module each, importing the package by name (resolved by Node's
// self-reference here and from node_modules/seccompile once installed), not bundled with it.
const policies = readdirSync(join(root, 'policies')).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
await build({ ...common, entryPoints: policies.map((f) => `policies/${f}`), outdir: 'dist/policies', external: ['seccompile'], splitting: false });
// tsconfig.policies.json types the policies against dist/types, as a consumer's project would.
if (!process.argv.includes('--no-types')) {
  for (const project of ['tsconfig.build.json', 'tsconfig.policies.json']) {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: root, stdio: 'inherit' });
  }
}
