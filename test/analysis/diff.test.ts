/**
 * diffFilters: policies differing in one boundary differ exactly there; libseccomp's linear and
 * binary-tree builds of one profile are equal; programs that are not compare-only are sampled;
 * every reported example really is decided differently by the two filters.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { diffFilters, type DiffReport, type Filter } from '../../src/analysis/diff.js';
import { actionText } from '../../src/analysis/action-text.js';
import { compile } from '../../src/compiler/index.js';
import { allow, arg, errno, killThread, policy } from '../../src/dsl/index.js';
import type { RuleSpec } from '../../src/ir/spec.js';
import { normalize } from '../../src/ir/normalize.js';
import { loadProgram } from '../../src/bpf/load.js';
import { insn } from '../../src/bpf/isa.js';
import { validate } from '../../src/bpf/validate.js';
import { evaluate } from '../../src/seccomp/evaluate.js';
import { formatAction } from '../../src/seccomp/abi.js';
import { exportOciProfile, importOciProfile } from '../../src/oci/index.js';
import { AF_UNIX } from '../../src/syscalls/constants.js';

function filterOf(rules: readonly RuleSpec[], arch = 'x86_64'): Filter {
  const n = normalize(policy({ default: errno('EPERM'), arch: arch as 'x86_64', rules }));
  assert.ok(n.ir, n.diagnostics.map((d) => d.message).join('\n'));
  return compile(n.ir!);
}

function fixture(name: string): Filter {
  const { program, order } = loadProgram(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
  return { program, endian: order };
}

/** Every example must be decided differently, as reported. */
function checkExamples(a: Filter, b: Filter, report: DiffReport): void {
  for (const d of report.differences) {
    const x = evaluate(a.program, d.example, a.endian).action;
    const y = evaluate(b.program, d.example, b.endian).action;
    assert.is(formatAction(x), formatAction(d.a));
    assert.is(formatAction(y), formatAction(d.b));
    assert.is.not(formatAction(x), formatAction(y));
  }
}

const lines = (r: DiffReport): string[] =>
  r.differences.map((d) => `${d.arch} ${d.syscall ?? d.nr.join('..')}(${d.args}): A ${actionText(d.a)}, B ${actionText(d.b)}`);

test('one boundary moved: lt(8) vs le(8) differ only at 8', () => {
  const a = filterOf([allow('read'), allow('mmap').when(arg(2).lt(8))]);
  const b = filterOf([allow('read'), allow('mmap').when(arg(2).le(8))]);
  const r = diffFilters(a, b);
  assert.is(r.method, 'exact');
  assert.equal(lines(r), ['x86_64 mmap(arg2 = 8): A errno(EPERM), B allow']);
  checkExamples(a, b, r);
});

test('one constant changed: socket(AF_INET) vs socket(AF_INET6)', () => {
  const a = filterOf([allow('socket'), errno('EACCES').on('socket').when(arg(0).int.eq(2))].reverse());
  const b = filterOf([allow('socket'), errno('EACCES').on('socket').when(arg(0).int.eq(10))].reverse());
  const r = diffFilters(a, b);
  assert.equal(lines(r), [
    'x86_64 socket(arg0.lo = 2): A errno(EACCES), B allow',
    'x86_64 socket(arg0.lo = 10): A allow, B errno(EACCES)',
  ]);
  checkExamples(a, b, r);
});

test('a filter equals itself; different arches differ on every syscall of each', () => {
  const a = filterOf([allow('read', 'write')]);
  assert.equal(diffFilters(a, a).differences, []);
  const b = filterOf([allow('read', 'write')], 'aarch64');
  const r = diffFilters(a, b);
  assert.ok(r.differences.some((d) => d.arch === 'x86_64' && d.syscall === 'read'));
  assert.ok(r.differences.some((d) => d.arch === 'aarch64' && d.syscall === 'read'));
  checkExamples(a, b, r);
});

test("libseccomp: the linear and the binary-tree build of one profile are equal", () => {
  const a = fixture('libseccomp-linear.bpf');
  const b = fixture('libseccomp-tree.bpf');
  const r = diffFilters(a, b);
  assert.is(r.method, 'exact');
  assert.ok(r.compared > 500, `${r.compared} regions`);
  assert.equal(r.differences, []);
});

test('libseccomp vs a mutated copy: the changed syscall is found', () => {
  const a = fixture('libseccomp-tree.bpf');
  // return ERRNO(EPERM) -> ERRNO(EACCES) at the first ERRNO return
  const insns = [...a.program];
  const at = insns.findIndex((i) => i.code === 0x06 && i.k === 0x00050001);
  insns[at] = { ...insns[at]!, k: 0x0005000d };
  const b = { program: validate(insns), endian: a.endian };
  const r = diffFilters(a, b);
  assert.ok(r.differences.length > 0);
  checkExamples(a, b, r);
});

test('a program doing arithmetic on seccomp_data is compared by sampling', () => {
  const plain = { program: validate([insn(0x20, 0), insn(0x15, 2, 0, 1), insn(0x06, 0x00050001), insn(0x06, 0x7fff0000)]), endian: 'little' as const };
  // nr + 1 == 3 <=> nr == 2: the same decisions, computed with an ADD
  const alu = { program: validate([insn(0x20, 0), insn(0x04, 1), insn(0x15, 3, 0, 1), insn(0x06, 0x00050001), insn(0x06, 0x7fff0000)]), endian: 'little' as const };
  const same = diffFilters(plain, alu);
  assert.is(same.method, 'sampled');
  assert.match(same.reasons.join(), /B: pc 1: arithmetic on loaded data/);
  assert.equal(same.differences, []);
  const off = { program: validate([insn(0x20, 0), insn(0x04, 2), insn(0x15, 3, 0, 1), insn(0x06, 0x00050001), insn(0x06, 0x7fff0000)]), endian: 'little' as const };
  const r = diffFilters(plain, off);
  assert.is(r.method, 'sampled');
  assert.ok(r.differences.some((d) => d.example.nr === 1) && r.differences.some((d) => d.example.nr === 2));
  checkExamples(plain, off, r);
});

test('a policy and its OCI export: exact (the export negates int views into nested masks)', () => {
  const n = normalize(
    policy({ default: errno('EPERM'), arch: 'x86_64', badArch: killThread(), rules: [allow('socket').when(arg(0).int.eq(AF_UNIX)), errno('EACCES').on('socket')] }),
  );
  const a = compile(n.ir!);
  const imported = importOciProfile(exportOciProfile(n.ir!).profile, { arch: 'x86_64' });
  assert.ok(imported.ir, imported.diagnostics.map((d) => d.message).join('\n'));
  const b = compile(imported.ir!);
  const report = diffFilters(a, b);
  assert.is(report.method, 'exact', report.reasons.join('; '));
  assert.equal(report.differences, []);
});

test.run();
