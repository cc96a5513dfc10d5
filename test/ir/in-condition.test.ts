/**
 * `arg(i).in([...])`: normalize splits the rule into one rule per value, so the compiled filter
 * is byte for byte the filter of the same rules written out one value at a time, and every
 * mistake in the value list is reported at its path.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { allow, arg, errno, policy } from '../../src/dsl/index.js';
import type { ConditionSpec, PolicySpec, RuleSpec } from '../../src/ir/spec.js';
import { normalize } from '../../src/ir/normalize.js';
import { MAX_ALTERNATIVES } from '../../src/ir/check-spec.js';
import { compile, encodeFilter } from '../../src/compiler/index.js';
import { exportOciProfile } from '../../src/oci/index.js';
import { evaluate } from '../../src/seccomp/evaluate.js';
import { ARCHES, resolveSyscall } from '../../src/syscalls/index.js';
import type { Diagnostic } from '../../src/ir/diagnostics.js';

const ARCH = ['x86_64', 'aarch64'] as const;

function bytes(spec: PolicySpec): Buffer {
  const r = normalize(spec);
  assert.equal(r.diagnostics.filter((d) => d.severity === 'error'), []);
  return Buffer.from(encodeFilter(compile(r.ir!)));
}

/** The diagnostics about conditions (the bypass lints of a default-allow policy left out). */
function diagnostics(spec: PolicySpec): Diagnostic[] {
  return normalize(spec).diagnostics.filter((d) => !d.code.endsWith('-bypass'));
}

/** A policy with one rule per entry, each `errno(E).on(call).when(...)` in order. */
type Errno = Parameters<typeof errno>[0];
type Call = Parameters<ReturnType<typeof errno>['on']>[0];
const rules = (...list: [Errno, Call, ConditionSpec[]][]): RuleSpec[] => list.map(([e, call, conds]) => errno(e).on(call).when(...conds));

const EQUIVALENT: [string, RuleSpec[], RuleSpec[]][] = [
  [
    'one in() = a rule per value',
    rules(['EAFNOSUPPORT', 'socket', [arg(0).int.in([1, 2, 10])]]),
    rules(['EAFNOSUPPORT', 'socket', [arg(0).int.eq(1)]], ['EAFNOSUPPORT', 'socket', [arg(0).int.eq(2)]], ['EAFNOSUPPORT', 'socket', [arg(0).int.eq(10)]]),
  ],
  [
    'in() with another condition keeps it on every part',
    rules(['ENOTTY', 'ioctl', [arg(0).int.gt(2), arg(1).int.in([0x5401, 0x5413])]]),
    rules(['ENOTTY', 'ioctl', [arg(0).int.gt(2), arg(1).int.eq(0x5401)]], ['ENOTTY', 'ioctl', [arg(0).int.gt(2), arg(1).int.eq(0x5413)]]),
  ],
  [
    'two in()s: every combination, in order',
    rules(['EPERM', 'kill', [arg(0).int.in([1, 2]), arg(1).int.in([9, 15])]]),
    rules(
      ['EPERM', 'kill', [arg(0).int.eq(1), arg(1).int.eq(9)]],
      ['EPERM', 'kill', [arg(0).int.eq(1), arg(1).int.eq(15)]],
      ['EPERM', 'kill', [arg(0).int.eq(2), arg(1).int.eq(9)]],
      ['EPERM', 'kill', [arg(0).int.eq(2), arg(1).int.eq(15)]],
    ),
  ],
  [
    'values that read the same through the view count once',
    rules(['EPERM', 'setuid', [arg(0).int.in([-1, 0xffffffff, 0])]]),
    rules(['EPERM', 'setuid', [arg(0).int.eq(-1)]], ['EPERM', 'setuid', [arg(0).int.eq(0)]]),
  ],
  [
    '64-bit view',
    rules(['EPERM', 'lseek', [arg(1).in([0n, 1n << 40n])]]),
    rules(['EPERM', 'lseek', [arg(1).eq(0)]], ['EPERM', 'lseek', [arg(1).eq(1n << 40n)]]),
  ],
];

for (const [name, withIn, written] of EQUIVALENT) {
  test(`${name}: the same filter, byte for byte`, () => {
    const a = bytes(policy({ default: allow(), arch: ARCH, rules: withIn }));
    const b = bytes(policy({ default: allow(), arch: ARCH, rules: written }));
    assert.ok(a.equals(b), `${a.length} vs ${b.length} bytes`);
  });
}

test('the compiled filter refuses exactly the listed values', () => {
  const r = normalize(policy({ default: allow(), arch: ['x86_64'], rules: [errno('EAFNOSUPPORT').on('socket').when(arg(0).int.in([1, 2, 10]))] }));
  const { program, endian } = compile(r.ir!);
  const nr = resolveSyscall(ARCHES.x86_64, 'socket')!;
  for (let family = 0n; family < 48n; family++) {
    for (const upper of [0n, 0xdead_beefn << 32n]) {
      const got = evaluate(program, { nr, arch: ARCHES.x86_64.auditArch, instructionPointer: 0n, args: [family | upper] }, endian).action;
      const refused = [1n, 2n, 10n].includes(family);
      assert.equal(got, refused ? { kind: 'errno', errno: 97 } : { kind: 'allow' }, `family ${family} upper ${upper}`);
    }
  }
});

test('every part keeps the rule as its origin', () => {
  const r = normalize(policy({ default: allow(), arch: ['x86_64'], rules: [allow('read'), errno('EPERM').on('kill').when(arg(1).int.in([9, 15]))] }));
  const kill = r.ir!.sections[0]!.syscalls.find((s) => s.name === 'kill')!;
  assert.equal(kill.rules.map((x) => x.origin), [{ index: 1, path: 'rules[1]' }, { index: 1, path: 'rules[1]' }]);
});

test('an in() policy exports to the OCI profile of its rules written out', () => {
  const exported = (rules: RuleSpec[]) => exportOciProfile(normalize(policy({ default: errno('EPERM'), arch: ['x86_64'], rules })).ir!).profile;
  const withIn = exported([allow('socket').when(arg(0).int.in([1, 10])), allow('read', 'write')]);
  const written = exported([allow('socket').when(arg(0).int.eq(1)), allow('socket').when(arg(0).int.eq(10)), allow('read', 'write')]);
  assert.equal(withIn, written);
  assert.ok(withIn.syscalls.some((s) => s.names.includes('socket') && (s.args ?? []).length > 0));
});

const MISTAKES: [string, ConditionSpec, string, string][] = [
  ['empty list', arg(0).in([]), 'rules[0].conditions[0].values', 'invalid-condition'],
  ['not a list', { arg: 0, op: 'in', width: 64, values: 5 as unknown as number[] }, 'rules[0].conditions[0].values', 'invalid-condition'],
  ['a negative 64-bit value, at its index', arg(0).in([1, -1]), 'rules[0].conditions[0].values[1]', 'value-range'],
  ['a fraction', arg(0).int.in([1.5]), 'rules[0].conditions[0].values[0]', 'value-range'],
  ['above the 32-bit view', arg(0).int.in([0, 1n << 32n]), 'rules[0].conditions[0].values[1]', 'value-range'],
  ['a bad argument index', arg(7).in([1]), 'rules[0].conditions[0].arg', 'arg-index'],
];

for (const [name, cond, path, code] of MISTAKES) {
  test(`mistake: ${name} is an error at ${path}`, () => {
    const r = normalize(policy({ default: allow(), arch: ['x86_64'], rules: [errno('EPERM').on('socket').when(cond)] }));
    assert.is(r.ir, undefined);
    assert.equal(r.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.path]), [[code, path]]);
  });
}

test(`more than ${MAX_ALTERNATIVES} combinations is an error naming the rule`, () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => i);
  const d = diagnostics(policy({ default: allow(), arch: ['x86_64'], rules: [allow('read'), errno('EPERM').on('kill').when(arg(0).int.in(many(33)), arg(1).int.in(many(32)))] }));
  assert.equal(d.map((x) => [x.code, x.path]), [['too-many-alternatives', 'rules[1].conditions']]);
  assert.match(d[0]!.message, /1056 alternatives/);
  // the limit itself is fine
  assert.equal(diagnostics(policy({ default: allow(), arch: ['x86_64'], rules: [errno('EPERM').on('kill').when(arg(0).int.in(many(32)), arg(1).int.in(many(32)))] })), []);
});

test('a part an earlier rule decides is reported with its value, the other parts are not', () => {
  const d = diagnostics(policy({ default: allow(), arch: ['x86_64'], rules: [allow('socket').when(arg(0).int.eq(2)), errno('EPERM').on('socket').when(arg(0).int.in([2, 10]))] }));
  assert.equal(d.map((x) => [x.code, x.path]), [['shadowed-rule', 'rules[1]']]);
  assert.match(d[0]!.message, /^rules\[1\] where int arg0 == 2 can never match socket/);
});

test('an unsatisfiable part is named; a rule whose every part is, as a whole', () => {
  const part = diagnostics(policy({ default: allow(), arch: ['x86_64'], rules: [errno('EPERM').on('kill').when(arg(1).int.in([1, 5]), arg(1).int.lt(3))] }));
  assert.equal(part.map((x) => [x.code, x.message]), [['unsatisfiable-rule', "rules[0] where int arg1 == 5 contradicts the rule's other conditions: that value can never match"]]);
  const whole = diagnostics(policy({ default: allow(), arch: ['x86_64'], rules: [errno('EPERM').on('kill').when(arg(1).int.in([5, 6]), arg(1).int.lt(3))] }));
  assert.equal(whole.map((x) => [x.code, x.message]), [['unsatisfiable-rule', 'the conditions of rules[0] contradict each other: it can never match']]);
});

test('parts an earlier rule decides alike, or that contradict the rest, are said in one warning each', () => {
  const shadowed = diagnostics(policy({ default: allow(), arch: ['x86_64'], rules: [allow('socket').when(arg(0).int.in([2, 10])), errno('EPERM').on('socket').when(arg(0).int.in([2, 10, 11]))] }));
  assert.equal(shadowed.map((x) => [x.code, x.path]), [['shadowed-rule', 'rules[1]']]);
  assert.match(shadowed[0]!.message, /^rules\[1\] where int arg0 == 2 or int arg0 == 10 can never match socket \(on x86_64\): rules\[0\] matches first/);
  const values = Array.from({ length: 20 }, (_, i) => i);
  const unsat = diagnostics(policy({ default: allow(), arch: ['x86_64'], rules: [errno('EPERM').on('kill').when(arg(1).int.in(values), arg(1).int.lt(10))] }));
  assert.equal(unsat.map((x) => [x.code, x.message]), [
    ['unsatisfiable-rule', "rules[0] where int arg1 == 10 or int arg1 == 11 or int arg1 == 12 or int arg1 == 13 or int arg1 == 14 (and 5 more values) contradict the rule's other conditions: those values can never match"],
  ]);
});

test('a 64-bit value above 2^32 on a 32-bit ABI is reported once, at its index', () => {
  const d = diagnostics(policy({ default: allow(), arch: ['x86_64', 'x86'], rules: [errno('EPERM').on('lseek').when(arg(1).in([1, 1n << 40n]), arg(2).in([0, 1]))] }));
  assert.equal(d.map((x) => [x.code, x.path]), [['constant-on-32-bit', 'rules[0].conditions[0].values[1]']]);
});

test.run();
