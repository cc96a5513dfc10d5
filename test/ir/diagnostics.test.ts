// Negative tests as data: a policy in, the diagnostics (code, severity, path) out.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { allow, arg, asU64, errno, kill, policy, trap } from '../../src/dsl/index.js';
import type { PolicySpec } from '../../src/ir/spec.js';
import { formatDiagnostic } from '../../src/ir/diagnostics.js';
import { normalize } from '../../src/ir/normalize.js';

// Casts stand in for what a JavaScript policy (no type checking) can pass.
const bad = <T>(v: unknown) => v as T;
type Case = [name: string, spec: PolicySpec, expected: Array<[code: string, path: string, message?: RegExp]>];

const cases: Case[] = [
  ['unknown syscall, with a suggestion', policy({ default: kill(), arch: 'x86_64', rules: [allow('read', bad('conect'))] }), [
    ['unknown-syscall', 'rules[0].syscalls[1]', /unknown syscall 'conect' \(did you mean connect\?\)/],
  ]],
  ['unknown syscall, no suggestion', policy({ default: kill(), rules: [allow(bad('xyzzyplugh'))] }), [
    ['unknown-syscall', 'rules[0].syscalls[0]', /^unknown syscall 'xyzzyplugh': no architecture/],
  ]],
  ['arg index out of range', policy({ default: kill(), rules: [allow('read'), allow('write').when(arg(1).eq(1), arg(6).eq(0))] }), [
    ['arg-index', 'rules[1].conditions[1].arg', /outside 0\.\.5/],
  ]],
  ['negative arg index', policy({ default: kill(), rules: [allow('write').when(arg(-1).eq(0))] }), [
    ['arg-index', 'rules[0].conditions[0].arg'],
  ]],
  ['negative 64-bit value', policy({ default: kill(), rules: [allow('write').when(arg(0).eq(-1))] }), [
    ['value-range', 'rules[0].conditions[0].value', /arg\(i\)\.int.*asU64\(-1\)/],
  ]],
  ['value above 2^64-1', policy({ default: kill(), rules: [allow('write').when(arg(0).lt(1n << 64n))] }), [
    ['value-range', 'rules[0].conditions[0].value', /outside 0\.\.2\^64-1/],
  ]],
  ['unsafe number', policy({ default: kill(), rules: [allow('write').when(arg(0).lt(2 ** 60))] }), [
    ['value-range', 'rules[0].conditions[0].value', /bigint/],
  ]],
  ['non-integer', policy({ default: kill(), rules: [allow('write').when(arg(0).lt(1.5))] }), [
    ['value-range', 'rules[0].conditions[0].value', /not an integer/],
  ]],
  ['32-bit view out of range', policy({ default: kill(), rules: [allow('write').when(arg(0).int.eq(2 ** 32), arg(1).int.eq(-(2 ** 31) - 1))] }), [
    ['value-range', 'rules[0].conditions[0].value'],
    ['value-range', 'rules[0].conditions[1].value'],
  ]],
  ['mask out of range', policy({ default: kill(), rules: [allow('write').when(arg(0).int.maskedEq(1n << 32n, 0))] }), [
    ['value-range', 'rules[0].conditions[0].mask'],
  ]],
  ['unknown arch, with a suggestion', policy({ default: kill(), arch: ['x86_64', bad<never>('arm46')], rules: [] }), [
    ['unknown-arch', 'arch[1]', /unknown arch 'arm46' \(did you mean arm64\?\)/],
  ]],
  ['unknown arch in a rule', policy({ default: kill(), rules: [allow('read').forArch('x86_64', bad<never>('sparc'))] }), [
    ['unknown-arch', 'rules[0].arch[1]', /unknown arch 'sparc'/],
  ]],
  ['empty arch list', policy({ default: kill(), arch: [], rules: [] }), [['unknown-arch', 'arch']]],
  ['unknown errno', policy({ default: errno(bad('EPRM')), rules: [] }), [['unknown-errno', 'default.errno', /did you mean EPERM/]]],
  ['errno out of range', policy({ default: kill(), rules: [errno(4096).on('read')] }), [['invalid-action', 'rules[0].action.errno']]],
  ['trap data out of range', policy({ default: trap(65536), rules: [] }), [['invalid-action', 'default.data']]],
  ['an action in the rule list', policy({ default: kill(), rules: [bad(allow())] }), [['invalid-rule', 'rules[0].syscalls', /this is an action/]]],
  ['rule with no syscalls', policy({ default: kill(), rules: [bad({ action: { kind: 'allow' }, syscalls: [], conditions: [] })] }), [
    ['invalid-rule', 'rules[0].syscalls'],
  ]],
  ['unknown operator and width', bad({ kind: 'policy', default: { kind: 'allow' }, rules: [
    { action: { kind: 'allow' }, syscalls: ['read'], conditions: [{ arg: 0, op: 'between', width: 64, value: 1 }, { arg: 0, op: 'eq', width: 16, value: 1 }] },
  ] }), [
    ['invalid-condition', 'rules[0].conditions[0].op'],
    ['invalid-condition', 'rules[0].conditions[1].width'],
  ]],
  ['not a policy', bad({ rules: 'nope' }), [['invalid-policy', '']]],
  ['unenforceable multiplexer condition', policy({ default: errno('EPERM'), arch: ['x86_64', 'x86'], rules: [allow('socket').when(arg(0).eq(1))] }), [
    ['multiplexer-condition', 'rules[0].syscalls[0]', /through socketcall on x86.*errno\('EPERM'\)\.on\('socketcall'\)\.when\(arg\(0\)\.int\.eq\(1\)\)/],
  ]],
  ['64-bit sub-call test does not decide the multiplexer (upper half ignored by the kernel)', policy({ default: errno('EPERM'), arch: ['s390x'], rules: [
    errno(1).on('socketcall').when(arg(0).eq(1)),
    allow('socket').when(arg(0).eq(1)),
  ] }), [['multiplexer-condition', 'rules[1].syscalls[0]', /s390x/]]],
  ['several mistakes reported together', policy({ default: errno(bad('NOPE')), arch: [bad<never>('vax')], rules: [allow(bad('reed')), allow('read').when(arg(9).eq(0))] }), [
    ['unknown-errno', 'default.errno'],
    ['unknown-syscall', 'rules[0].syscalls[0]'],
    ['arg-index', 'rules[1].conditions[0].arg'],
    ['unknown-arch', 'arch[0]'],
  ]],
  ['a bad rule does not hide the multiplexer error of a good one', policy({ default: errno('EPERM'), arch: ['x86'], rules: [
    allow(bad('reed')),
    allow('socket').when(arg(0).int.eq(1)),
  ] }), [
    ['unknown-syscall', 'rules[0].syscalls[0]'],
    ['multiplexer-condition', 'rules[1].syscalls[0]'],
  ]],
  // Warnings: the IR is still produced.
  ['shadowed by an unconditional rule', policy({ default: kill(), arch: 'x86_64', rules: [allow('read'), errno(1).on('read').when(arg(0).eq(3))] }), [
    ['shadowed-rule', 'rules[1]', /rules\[1\] can never match read \(on x86_64\): rules\[0\] matches first/],
  ]],
  ['shadowed by a subset of conditions', policy({ default: kill(), arch: 'x86_64', rules: [
    allow('read').when(arg(0).eq(3)),
    errno(1).on('read', 'write').when(arg(2).eq(1), arg(0).eq(3)),
  ] }), [['shadowed-rule', 'rules[1]', /never match read \(/]]],
  ['shadowed by interval reasoning', policy({ default: kill(), arch: 'x86_64', rules: [
    allow('read').when(arg(0).lt(100)),
    errno(1).on('read').when(arg(0).le(99)),
    errno(2).on('read').when(arg(0).int.eq(5), arg(0).lt(1n << 32n)),
    errno(3).on('read').when(arg(0).maskedEq(0xff00, 0), arg(0).lt(0x10000)), // 0..0xff: not all < 100
    errno(4).on('read').when(arg(0).lt(101)), // but 0..100 is inside rules[3]
    errno(5).on('read').when(arg(0).int.lt(50)), // high half free: not inside rules[0]
  ] }), [
    ['shadowed-rule', 'rules[1]', /rules\[0\] matches first/],
    ['shadowed-rule', 'rules[2]', /rules\[0\] matches first/],
    ['shadowed-rule', 'rules[4]', /rules\[3\] matches first/],
  ]],
  ['64-bit value above 2^32-1 on 32-bit ABIs', policy({ default: kill(), arch: ['x86_64', 'x86', 'x32', 'arm'], rules: [
    errno(1).on('close').when(arg(0).eq(asU64(-1))),
    errno(1).on('dup').when(arg(0).int.eq(-1), arg(1).lt(1n << 40n), arg(2).maskedEq((1n << 33n) | 1n, 1)),
    errno(1).on('kill').when(arg(0).eq(5)).forArch('x86_64'),
  ] }), [
    ['constant-on-32-bit', 'rules[0].conditions[0].value', /on x86, arm .* is false for ordinary callers there; .*arg\(0\)\.int/],
    ['constant-on-32-bit', 'rules[1].conditions[1].value', /is true for/],
  ]],
  ['contradictory conditions', policy({ default: kill(), arch: 'x86_64', rules: [allow('read').when(arg(0).eq(1), arg(0).eq(2))] }), [
    ['unsatisfiable-rule', 'rules[0].conditions'],
  ]],
];

for (const [name, spec, expected] of cases) {
  test(name, () => {
    const r = normalize(spec);
    const got = r.diagnostics.map((d) => [d.code, d.path]);
    assert.equal(got, expected.map(([c, p]) => [c, p]), r.diagnostics.map((d) => formatDiagnostic(d)).join('\n'));
    expected.forEach(([, , message], i) => {
      if (message) assert.match(r.diagnostics[i]!.message, message);
    });
    const errors = r.diagnostics.some((d) => d.severity === 'error');
    assert.is(r.ir === undefined, errors, 'ir is undefined exactly when there are errors');
    assert.ok(r.diagnostics.every((d) => (d.severity === 'warning') === ['shadowed-rule', 'unsatisfiable-rule', 'constant-on-32-bit'].includes(d.code)));
  });
}

test('diagnostics point at the line of the rule', () => {
  const spec = policy({
    default: kill(),
    rules: [
      allow('read'),
      allow(bad('wrte')),
    ],
  });
  const [d] = normalize(spec).diagnostics;
  assert.is(d!.location!.line, spec.location!.line + 4);
  assert.match(formatDiagnostic(d!), /diagnostics\.test\.ts:\d+:\d+: error: rules\[1\]\.syscalls\[0\]: .* \[unknown-syscall\]$/);
});

test('sourceFile is the fallback location for specs without recorded locations', () => {
  const spec = bad<PolicySpec>({ kind: 'policy', default: { kind: 'allow' }, rules: [{ action: { kind: 'allow' }, syscalls: ['nope'], conditions: [] }] });
  const [d] = normalize(spec, { sourceFile: 'p.ts' }).diagnostics;
  assert.equal(d!.location, { file: 'p.ts', line: 1, column: 1 });
});

test.run();
