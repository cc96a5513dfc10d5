import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { allow, arg, asU64, errno, extendPolicy, kill, killThread, log, notify, policy, trace, trap } from '../../src/dsl/index.js';
import { parseFrame } from '../../src/dsl/site.js';
import type { ActionSpec, PolicySpec } from '../../src/ir/spec.js';

/** Deep copy without locations, so specs compare as data. */
function data(spec: PolicySpec): unknown {
  const { location: _, ...rest } = spec;
  return { ...rest, rules: spec.rules.map(({ location: _l, ...r }) => r) };
}

const actions: Array<[string, ActionSpec, ActionSpec]> = [
  ['allow()', allow(), { kind: 'allow' }],
  ["errno('EPERM')", errno('EPERM'), { kind: 'errno', errno: 'EPERM' }],
  ['errno(13)', errno(13), { kind: 'errno', errno: 13 }],
  ['kill()', kill(), { kind: 'kill_process' }],
  ['killThread()', killThread(), { kind: 'kill_thread' }],
  ['trap()', trap(), { kind: 'trap', data: 0 }],
  ['trap(7)', trap(7), { kind: 'trap', data: 7 }],
  ['trace(9)', trace(9), { kind: 'trace', data: 9 }],
  ['log()', log(), { kind: 'log' }],
  ['notify()', notify(), { kind: 'user_notif' }],
];
for (const [name, built, expected] of actions) {
  test(`action ${name} is plain data`, () => {
    assert.equal({ ...built }, expected);
    const p = policy({ default: built, rules: [] });
    assert.equal(p.default, expected);
    assert.is(Object.getPrototypeOf(p.default), Object.prototype);
  });
}

test('rules: allow(names), action.on(names), when() ANDs and does not mutate', () => {
  const base = errno('EACCES').on('socket', 'socketpair');
  const narrowed = base.when(arg(0).eq(2)).when(arg(1).int.maskedEq(0xf, 1));
  assert.equal(base.conditions, []);
  const p = policy({
    default: kill(),
    arch: 'x86_64',
    badArch: errno(1),
    newer: allow(),
    rules: [allow('read', 'write'), narrowed],
  });
  assert.equal(data(p), {
    kind: 'policy',
    default: { kind: 'kill_process' },
    arch: ['x86_64'],
    badArch: { kind: 'errno', errno: 1 },
    newer: { kind: 'allow' },
    rules: [
      { action: { kind: 'allow' }, syscalls: ['read', 'write'], conditions: [] },
      {
        action: { kind: 'errno', errno: 'EACCES' },
        syscalls: ['socket', 'socketpair'],
        conditions: [
          { arg: 0, op: 'eq', width: 64, value: 2 },
          { arg: 1, op: 'masked_eq', width: 32, value: 1, mask: 0xf },
        ],
      },
    ],
  });
  // Builder methods live on prototypes, never in the data.
  assert.not.ok('when' in p.rules[0]!);
  assert.ok(Object.isFrozen(p) && Object.isFrozen(p.rules[1]!.conditions));
});

test('forArch restricts a rule and keeps its conditions and location', () => {
  const r = allow('clone').when(arg(1).eq(0)).forArch('s390x');
  assert.equal(r.arch, ['s390x']);
  assert.equal(r.conditions, [{ arg: 1, op: 'eq', width: 64, value: 0 }]);
  assert.ok(r.location);
  const p = policy({ default: kill(), rules: [r] });
  assert.equal(p.rules[0]!.arch, ['s390x']);
});

const conditions: Array<[string, unknown, unknown]> = [
  ['eq', arg(0).eq(1), { arg: 0, op: 'eq', width: 64, value: 1 }],
  ['ne', arg(1).ne(2n), { arg: 1, op: 'ne', width: 64, value: 2n }],
  ['lt', arg(2).lt(3), { arg: 2, op: 'lt', width: 64, value: 3 }],
  ['le', arg(3).le(4), { arg: 3, op: 'le', width: 64, value: 4 }],
  ['gt', arg(4).gt(5), { arg: 4, op: 'gt', width: 64, value: 5 }],
  ['ge', arg(5).ge(6), { arg: 5, op: 'ge', width: 64, value: 6 }],
  ['maskedEq', arg(0).maskedEq(0xff, 1), { arg: 0, op: 'masked_eq', width: 64, value: 1, mask: 0xff }],
  ['int.eq(-1)', arg(0).int.eq(-1), { arg: 0, op: 'eq', width: 32, value: -1 }],
  ['int.in', arg(1).int.in([1, 2n]), { arg: 1, op: 'in', width: 32, values: [1, 2n] }],
];
for (const [name, built, expected] of conditions) {
  test(`condition ${name}`, () => assert.equal(built, expected));
}

test('asU64: two\'s complement, out-of-range values passed through for normalize to report', () => {
  assert.is(asU64(-1), (1n << 64n) - 1n);
  assert.is(asU64(-(2 ** 53) + 1), (1n << 64n) - (2n ** 53n) + 1n);
  assert.is(asU64(5), 5n);
  assert.is(asU64(-(1n << 63n)), 1n << 63n);
  assert.is(asU64(-(1n << 63n) - 1n), -(1n << 63n) - 1n);
  assert.is(asU64(1.5), 1.5);
});

test('rules record where they were written', () => {
  const here = allow('read');
  const p = policy({ default: kill(), rules: [here, errno(1).on('write')] });
  assert.ok(p.location?.file.endsWith('test/dsl/builders.test.ts'), p.location?.file);
  assert.is(here.location?.file, p.location?.file);
  assert.is(p.rules[1]!.location!.line, p.location!.line);
  assert.is(here.location!.line + 1, p.location!.line);
});

const base = policy({ default: errno('EPERM'), arch: ['x86_64', 'aarch64'], newer: errno('ENOSYS'), rules: [allow('read'), allow('write')] });
const rule = (action: ActionSpec, syscall: string) => ({ action, syscalls: [syscall], conditions: [] });
const baseRules = [rule({ kind: 'allow' }, 'read'), rule({ kind: 'allow' }, 'write')];
const baseData = { kind: 'policy', default: { kind: 'errno', errno: 'EPERM' }, arch: ['x86_64', 'aarch64'], newer: { kind: 'errno', errno: 'ENOSYS' } };
const extensions: Array<[string, Parameters<typeof extendPolicy>[1], unknown]> = [
  ['nothing: the same policy', {}, { ...baseData, rules: baseRules }],
  [
    'before and after: around the base rules, in order',
    { before: [errno('EACCES').on('socket')], after: [allow('close')] },
    { ...baseData, rules: [rule({ kind: 'errno', errno: 'EACCES' }, 'socket'), ...baseRules, rule({ kind: 'allow' }, 'close')] },
  ],
  [
    "default, arch, badArch, newer replace the base's",
    { default: kill(), arch: 'x86', badArch: errno('EINVAL'), newer: allow() },
    { kind: 'policy', default: { kind: 'kill_process' }, arch: ['x86'], badArch: { kind: 'errno', errno: 'EINVAL' }, newer: { kind: 'allow' }, rules: baseRules },
  ],
];
for (const [name, extension, expected] of extensions) {
  test(`extendPolicy: ${name}`, () => {
    const p = extendPolicy(base, extension);
    assert.equal(data(p), expected);
    assert.ok(Object.isFrozen(p) && Object.isFrozen(p.rules));
    assert.ok(p.location?.file.endsWith('test/dsl/builders.test.ts'), 'records where it was extended');
    assert.equal(data(base), { ...baseData, rules: baseRules }, 'the base is unchanged');
  });
}

const frames: Array<[string, unknown]> = [
  ['    at allow (file:///a/b%20c.ts:3:14)', { file: '/a/b c.ts', line: 3, column: 14 }],
  ['    at /a/b.js:10:2', { file: '/a/b.js', line: 10, column: 2 }],
  ['    at Object.<anonymous> (/x/y.mjs:1:1)', { file: '/x/y.mjs', line: 1, column: 1 }],
  ['    at native', undefined],
];
for (const [frame, expected] of frames) {
  test(`parseFrame ${frame.trim()}`, () => assert.equal(parseFrame(frame), expected));
}

test.run();
