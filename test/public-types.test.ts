/**
 * The published types (dist/types, what package.json's "exports" point at) as a consumer sees
 * them: a strict TypeScript project importing 'seccompile' and each subpath export from an
 * installed copy typechecks (declarations included, skipLibCheck off), a misspelt syscall name is
 * a type error there, a tool is not importable from the root, and no declaration uses `any`. The
 * built entries export what their declarations say. Needs the build (npm test builds first).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const types = join(root, 'dist/types');

const CONSUMER = `
import { policy, allow, errno, kill, arg, AF_UNIX, AF_INET, resolveSyscall, extendPolicy, groupSyscalls, type PolicySpec } from 'seccompile';
import { compile, normalize, encodeFilter, decide, type CompileResult, type Diagnostic, type PolicyIR } from 'seccompile/compiler';
import { loadProgram, evaluate, disassembleSeccomp, tableSyscallName, assemble, SECCOMP_RET_ALLOW, type Evaluation, type Program } from 'seccompile/bpf';
import { importOciProfile, exportOciProfile } from 'seccompile/oci';
import { diffFilters, verifyFilter, explainPolicy, explanationText, type VerifyJson, type DiffJson, type TestJson, type SyscallsJson } from 'seccompile/analysis';
import { AUDIT_ARCH, ERRNO, SOCKETCALL, O_CLOEXEC } from 'seccompile/constants';
import { expectPolicy, simulate, load, type Simulation, type LoadedFilter } from 'seccompile/testing';
// @ts-expect-error the compiler is a subpath export, not the root's
import { compile as rootCompile } from 'seccompile';
export const unused = rootCompile;
export const constants: number[] = [AUDIT_ARCH.AUDIT_ARCH_X86_64, ERRNO.EPERM, SOCKETCALL.SYS_SOCKET, O_CLOEXEC, SECCOMP_RET_ALLOW];
export function irSections(ir: PolicyIR): number {
  return ir.sections.length;
}

export const p: PolicySpec = policy({
  default: errno('EPERM'),
  arch: ['x86_64'],
  rules: [allow('read', 'write'), allow('socket').when(arg(0).int.eq(AF_UNIX)), kill().on('ptrace')],
});
const n = normalize(p);
export const diagnostics: readonly Diagnostic[] = n.diagnostics;
if (n.ir) {
  const r: CompileResult = compile(n.ir);
  const { program, order } = loadProgram(encodeFilter(r));
  const prog: Program = program;
  const e: Evaluation = evaluate(prog, { nr: 0, arch: 0xc000003e, instructionPointer: 0n, args: [] }, order);
  const kind: string = e.action.kind;
  const text: string = disassembleSeccomp(prog, { endian: order, syscallName: tableSyscallName });
  console.log(kind, text, decide(n.ir, { arch: 0xc000003e, nr: 41, args: [2n] }), diffFilters(r, r).differences.length);
  console.log(verifyFilter(n.ir, r).mismatches, exportOciProfile(n.ir).warnings.length);
  console.log(explanationText(explainPolicy(n.ir, { syscalls: groupSyscalls('@basic-io') }), { all: false }));
}
// @ts-expect-error a misspelt syscall name is a type error
allow('conect');
allow('read', '@basic-io', '@timer');
errno('EPERM').on('@mount');
// @ts-expect-error a misspelt group name is a type error too
allow('@netwrk-io');
// @ts-expect-error so is an unknown arch
policy({ default: kill(), arch: ['sparc'], rules: [] });
const s: Simulation = simulate(p, { arch: 'x86_64', syscall: 'socket', args: [AF_INET] });
export const errnoValue: number | undefined = s.errno;
expectPolicy(p).allows('read').denies('socket', [AF_INET]).with(errno('EPERM'));
export const loaded: Promise<LoadedFilter> = load(p);
export const nr: number | undefined = resolveSyscall('x86_64', 'read');
export const insns = assemble('ret #0').insns.length;
export const tighter: PolicySpec = extendPolicy(p, { before: [errno('EACCES').on('socket')], arch: 'aarch64' });
// @ts-expect-error extendPolicy checks arch names too
extendPolicy(p, { arch: 'sparc' });
export function summary(v: VerifyJson, d: DiffJson, t: TestJson, s: SyscallsJson): string {
  return [v.ok, v.counterexample?.args[0], d.differences[0]?.example.nr, t.checks[0]?.actual, s.syscalls[0]?.nr].join();
}
export const oci = importOciProfile('{"defaultAction":"SCMP_ACT_ALLOW"}', { arch: 'x86_64' }).diagnostics;
`;

test('a strict consumer project typechecks against the published declarations', () => {
  assert.ok(existsSync(join(types, 'index.d.ts')), 'dist/types is built (npm run build)');
  const dir = mkdtempSync(join(tmpdir(), 'seccompile-consumer-'));
  try {
    mkdirSync(join(dir, 'node_modules/@types'), { recursive: true });
    symlinkSync(root, join(dir, 'node_modules/seccompile'));
    symlinkSync(join(root, 'node_modules/@types/node'), join(dir, 'node_modules/@types/node'));
    writeFileSync(join(dir, 'package.json'), '{ "name": "consumer", "type": "module", "private": true }\n');
    const compilerOptions = {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      types: ['node'],
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
    writeFileSync(join(dir, 'consumer.ts'), CONSUMER);
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
    assert.is(tsc.status, 0, tsc.stdout + tsc.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function declarations(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? declarations(join(dir, e.name)) : e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  );
}

/** Names each entry must export at run time (dist/), a sample of what its declarations promise. */
const ENTRIES: Array<[string, string, readonly string[], readonly string[]]> = [
  ['seccompile', 'index.js', ['policy', 'allow', 'arg', 'extendPolicy', 'AF_UNIX', 'SOCKETCALL', 'ERRNO', 'ARCHES', 'resolveSyscall'], ['compile', 'normalize', 'Interpreter', 'importOciProfile', 'verifyFilter', 'SECCOMP_RET_ALLOW']],
  ['seccompile/compiler', 'compiler.js', ['compile', 'encodeFilter', 'normalize', 'decide', 'formatDiagnostic', 'loadPolicyFile', 'CompileError'], ['policy']],
  ['seccompile/bpf', 'bpf.js', ['isa', 'validate', 'loadProgram', 'disassembleSeccomp', 'assemble', 'Interpreter', 'evaluate', 'compileWasm', 'jitEvaluator', 'SECCOMP_RET_ALLOW'], ['compile']],
  ['seccompile/oci', 'oci.js', ['importOciProfile', 'loadOciFile', 'exportOciProfile', 'DOCKER_DEFAULT_CAPS'], ['compile']],
  ['seccompile/analysis', 'analysis.js', ['diffFilters', 'verifyFilter', 'explainPolicy', 'explanationText'], ['compile']],
  ['seccompile/constants', 'constants.js', ['AF_UNIX', 'O_CLOEXEC', 'ERRNO', 'errnoByName', 'SOCKETCALL', 'AUDIT_ARCH', 'SECCOMP_RET_KILL_PROCESS', 'SECCOMP_FILTER_FLAG_TSYNC'], ['policy', 'compile']],
  ['seccompile/learn', 'learn.js', ['policyText', 'caseLine', 'readCases', 'mergeCalls', 'nameCalls'], ['compile', 'policy']],
  ['seccompile/testing', 'testing.js', ['expectPolicy', 'simulate', 'load', 'PolicyAssertionError'], ['compile']],
];
for (const [specifier, file, has, lacks] of ENTRIES) {
  test(`${specifier} (package.json exports -> dist/${file}) exports ${has.length} sampled names and not ${lacks.join(', ')}`, async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; default: string }> };
    const entry = pkg.exports[specifier === 'seccompile' ? '.' : `.${specifier.slice('seccompile'.length)}`];
    assert.ok(entry, `package.json exports ${specifier}`);
    assert.is(entry.default, `./dist/${file}`);
    assert.ok(existsSync(join(root, entry.types)), `${entry.types} is built`);
    const mod = (await import(join(root, entry.default))) as Record<string, unknown>;
    assert.equal(has.filter((n) => !(n in mod)), [], 'missing');
    assert.equal(lacks.filter((n) => n in mod), [], 'not meant here');
  });
}

test('no published declaration uses any', () => {
  const offenders: string[] = [];
  for (const file of declarations(types)) {
    const code = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '')
      .replace(/(['"`])(?:\\.|(?!\1).)*\1/g, '""');
    code.split('\n').forEach((line, i) => {
      if (/\bany\b/.test(line)) offenders.push(`${file.slice(types.length + 1)}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.equal(offenders, []);
});

test.run();
