/**
 * The published types (dist/types, what package.json's "exports" point at) as a consumer sees
 * them: a strict TypeScript project importing 'seccompile' and 'seccompile/testing' from an
 * installed copy typechecks (declarations included, skipLibCheck off), a misspelt syscall name is
 * a type error there, and no declaration uses `any`. Needs the build (npm test builds first).
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
import { policy, allow, errno, kill, arg, AF_UNIX, AF_INET, compile, normalize, encodeFilter, decide, loadProgram, evaluate,
  disassembleSeccomp, tableSyscallName, importOciProfile, exportOciProfile, diffFilters, verifyFilter, assemble,
  resolveSyscall, extendPolicy, explainPolicy, explanationText, groupSyscalls, type PolicySpec, type Evaluation, type Program, type CompileResult, type Diagnostic,
  type VerifyJson, type DiffJson, type TestJson, type SyscallsJson } from 'seccompile';
import { expectPolicy, simulate, load, type Simulation, type LoadedFilter } from 'seccompile/testing';

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
