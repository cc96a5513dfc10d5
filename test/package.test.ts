/**
 * The npm package as a user gets it. `npm pack` packs this checkout (its built dist/: npm test
 * builds first; pack runs no scripts here, so it does not rebuild dist/ under the suites running
 * beside this one), the tarball's file list is checked against what a package may hold, and the
 * tarball is installed into a temporary ESM project, offline: the project's dependencies on
 * esbuild, koffi, arg, wabt (and its own typescript and @types/node) are links to this
 * checkout's node_modules, through `overrides`, so nothing is fetched and no npm cache is needed.
 * There, as a user would: `npx seccompile` compiles the user's .ts policy (built on the built-in
 * default, `seccompile/policies/default`), `tsc` type-checks it (and finds a misspelt syscall),
 * a node:test file unit-tests it with seccompile/testing, and `npx jail` runs commands.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasSeccomp, isRoot, need } from './support/capabilities.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const deps = join(root, 'node_modules');
/** npm and npx beside this node, else from PATH. */
const npmTool = (name: string): string => (existsSync(join(dirname(process.execPath), name)) ? join(dirname(process.execPath), name) : name);
const npm = npmTool('npm');
const npx = npmTool('npx');

/** What a file in the tarball may be (paths under package/); anything else fails the test. */
const ALLOWED: readonly RegExp[] = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^bin\/(seccompile|jail)$/,
  /^dist\/[\w/.-]+\.(js|cjs|d\.ts)$/,
  /^bpf\/[\w-]+\.(x86_64|aarch64)\.(bpf|txt)$/,
  /^policies\/[\w-]+\.ts$/,
  /^man\/(seccompile|jail)\.1$/,
  ...(process.env.SECCOMPILE_SOURCEMAPS === '1' ? [/^dist\/[\w/.-]+\.(js|cjs)\.map$/] : []),
];
/** Files the package cannot work without. */
const REQUIRED = [
  'LICENSE',
  'README.md',
  'bin/seccompile',
  'bin/jail',
  'dist/index.js',
  'dist/policy-entry.js',
  'dist/testing.js',
  'dist/cli/seccompile.js',
  'dist/cli/jail.js',
  'dist/cli/jail-init.cjs',
  'dist/types/index.d.ts',
  'dist/types/testing/index.d.ts',
  ...['compiler', 'bpf', 'oci', 'analysis', 'constants', 'learn'].flatMap((e) => [`dist/${e}.js`, `dist/types/exports/${e}.d.ts`]),
  'dist/policies/default.js',
  'dist/policies/default.d.ts',
  'bpf/default.x86_64.bpf',
  'bpf/default.aarch64.bpf',
  'man/seccompile.1',
  'man/jail.1',
];

/** The user's files: a policy extending a built-in, one with a typo, a node:test file. */
const PROJECT_FILES: Record<string, string> = {
  'my-policy.ts': `// The built-in default, with no sockets at all (EACCES).
import { errno, extendPolicy } from 'seccompile';
import base from 'seccompile/policies/default';

export default extendPolicy(base, {
  before: [errno('EACCES').on('socket', 'socketpair')],
});
`,
  'typo-policy.ts': `import { allow, errno, policy } from 'seccompile';

export default policy({ default: errno('EPERM'), rules: [allow('read', 'conect')] });
`,
  'policy.test.mjs': `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AF_INET, AF_UNIX, errno } from 'seccompile';
import { expectPolicy, load, simulate } from 'seccompile/testing';
import base from 'seccompile/policies/default';

const mine = await load('./my-policy.ts');

test('the built-in default allows sockets and denies ptrace', () => {
  expectPolicy(base).allows('socket', [AF_INET]).denies('ptrace').with(errno('EPERM'));
});

test('my policy refuses sockets and keeps the rest of the default', () => {
  expectPolicy(mine).denies('socket', [AF_UNIX]).with(errno('EACCES')).allows('read').denies('ptrace').with(errno('EPERM'));
});

test('simulate one call', () => {
  assert.equal(simulate(mine, { syscall: 'socketpair', args: [AF_UNIX] }).errnoName, 'EACCES');
});
`,
  // The tools, each from its subpath export: types (tsc) and run time (node).
  'tools.ts': `import { normalize, compile, encodeFilter, type PolicyIR } from 'seccompile/compiler';
import { loadProgram, disassembleSeccomp, tableSyscallName, type Program } from 'seccompile/bpf';
import { exportOciProfile } from 'seccompile/oci';
import { verifyFilter, type VerifyJson } from 'seccompile/analysis';
import { SECCOMP_RET_ALLOW, AF_UNIX } from 'seccompile/constants';
import mine from './my-policy.js';

const n = normalize(mine, { arches: ['x86_64'] });
const ir: PolicyIR | undefined = n.ir;
if (ir) {
  const r = compile(ir);
  const program: Program = loadProgram(encodeFilter(r)).program;
  const json: Pick<VerifyJson, 'ok'> = { ok: verifyFilter(ir, r).mismatches === 0 };
  console.log(disassembleSeccomp(program, { syscallName: tableSyscallName }).length > 0, json.ok, exportOciProfile(ir).profile.defaultAction, SECCOMP_RET_ALLOW, AF_UNIX);
}
`,
  'tools.mjs': `import { normalize, compile, encodeFilter } from 'seccompile/compiler';
import { loadProgram } from 'seccompile/bpf';
import { exportOciProfile } from 'seccompile/oci';
import { verifyFilter } from 'seccompile/analysis';
import { SECCOMP_RET_ALLOW } from 'seccompile/constants';
import * as root from 'seccompile';
import base from 'seccompile/policies/default';

const { ir } = normalize(base, { arches: ['x86_64'] });
const r = compile(ir);
console.log(loadProgram(encodeFilter(r)).program.length === r.program.length, verifyFilter(ir, r).mismatches, exportOciProfile(ir).profile.defaultAction, SECCOMP_RET_ALLOW, 'compile' in root);
`,
  'tsconfig.json': JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: ['node'] },
    files: ['my-policy.ts', 'tools.ts'],
  }),
  'tsconfig.typo.json': JSON.stringify({ extends: './tsconfig.json', files: ['typo-policy.ts'] }),
};

/** Links into this checkout's node_modules, for the project and (overrides) for seccompile's dependencies. */
function linked(names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, `file:${join(deps, n)}`]));
}

let work = '';
let project = '';
let files: string[] = [];

/** The user's environment: none of the npm variables of the `npm test` around this suite. */
function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'NODE_OPTIONS' && k !== 'INIT_CWD') e[k] = v;
  return { ...e, npm_config_cache: join(work, 'npm-cache'), npm_config_update_notifier: 'false', npm_config_audit: 'false', npm_config_fund: 'false' };
}

function run(cmd: string, args: readonly string[], cwd = project): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env: env(), encoding: 'utf8', timeout: 120_000 });
}

function show(r: SpawnSyncReturns<string>): string {
  return `exit ${r.status}${r.error ? ` (${r.error.message})` : ''}\n${r.stdout}\n${r.stderr}`;
}

test.before(() => {
  assert.ok(existsSync(join(root, 'dist/index.js')), 'dist/ is built (npm run build; npm test builds first)');
  work = mkdtempSync(join(tmpdir(), 'seccompile-package-'));
  const pack = run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], root);
  assert.is(pack.status, 0, show(pack));
  const [info] = JSON.parse(pack.stdout) as [{ filename: string; files: { path: string }[] }];
  files = info.files.map((f) => f.path).sort();
  project = join(work, 'consumer');
  mkdirSync(project);
  const pkg = {
    name: 'consumer',
    private: true,
    type: 'module',
    dependencies: { seccompile: `file:${join(work, info.filename)}`, ...linked(['typescript', '@types/node']) },
    overrides: linked(['arg', 'esbuild', 'koffi', 'wabt']),
  };
  writeFileSync(join(project, 'package.json'), JSON.stringify(pkg, null, 2));
  for (const [name, text] of Object.entries(PROJECT_FILES)) writeFileSync(join(project, name), text);
  // --ignore-scripts: esbuild's and koffi's install scripts belong to the checkout's copies, set up by npm ci.
  const install = run(npm, ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund']);
  assert.is(install.status, 0, show(install));
});

test.after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the tarball holds bin/, dist/ (no source maps), bpf/, policies/, man/, README and LICENSE, nothing else', () => {
  assert.equal(files.filter((f) => !ALLOWED.some((re) => re.test(f))), []);
  assert.equal(REQUIRED.filter((f) => !files.includes(f)), []);
  const installed = join(project, 'node_modules/seccompile');
  assert.equal(readdirSync(installed).sort(), ['LICENSE', 'README.md', 'bin', 'bpf', 'dist', 'man', 'package.json', 'policies']);
  assert.match(readFileSync(join(installed, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);
});

test('npx seccompile compiles the .ts policy, which imports a built-in', () => {
  const r = run(npx, ['--offline', 'seccompile', 'my-policy.ts', '-o', 'my-policy.bpf']);
  assert.is(r.status, 0, show(r));
  const size = readFileSync(join(project, 'my-policy.bpf')).length;
  assert.ok(size > 0 && size % 8 === 0, `a whole number of instructions (${size} bytes)`);
  const disasm = run(join(project, 'node_modules/.bin/seccompile'), ['disasm', 'my-policy.bpf']);
  assert.is(disasm.status, 0, show(disasm));
  assert.match(disasm.stdout, /; ERRNO\(13\)$/m, 'EACCES, which the default never returns');
});

const typechecks: Array<[string, number, RegExp | null]> = [
  ['tsconfig.json', 0, null],
  ['tsconfig.typo.json', 2, /typo-policy\.ts\(3,\d+\): error TS\d+: .*"conect"/],
];
for (const [config, status, error] of typechecks) {
  test(`tsc -p ${config}: exit ${status}${error ? ', a misspelt syscall is a type error' : ''}`, () => {
    const r = run(join(project, 'node_modules/.bin/tsc'), ['-p', config]);
    assert.is(r.status, status, show(r));
    if (error) assert.match(r.stdout, error);
  });
}

test('the subpath exports load from the installed package; the root has no tools', () => {
  const r = run(process.execPath, ['tools.mjs']);
  assert.is(r.status, 0, show(r));
  assert.is(r.stdout, 'true 0 SCMP_ACT_ERRNO 2147418112 false\n');
});

test('node --test runs seccompile/testing on the .ts policy and the built-in', () => {
  const r = run(process.execPath, ['--test', '--test-reporter=tap', 'policy.test.mjs']);
  assert.is(r.status, 0, show(r));
  assert.match(r.stdout, /^# pass 3$/m);
  assert.match(r.stdout, /^# fail 0$/m);
});

const canJail = need('seccomp', hasSeccomp(), 'npx jail from the installed package', 'the kernel has no seccomp');
if (canJail) {
  test(`npx jail -- true (${isRoot() ? 'root: namespaces and a cgroup' : 'not root: seccomp only'})`, () => {
    const r = run(npx, ['--offline', 'jail', '--', 'true']);
    assert.is(r.status, 0, show(r));
    assert.is(r.stderr, '');
  });

  test('npx jail --policy with the compiled user policy: sockets are EACCES', () => {
    const r = run(join(project, 'node_modules/.bin/jail'), ['--policy', 'my-policy.bpf', '--', '/usr/bin/python3', '-c', 'import socket; socket.socket()']);
    assert.is(r.status, 1, show(r));
    assert.match(r.stderr, /PermissionError: \[Errno 13\]/);
  });
}

test.run();
