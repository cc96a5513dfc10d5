import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { allow, arg, asU64, errno, kill, log, policy, trap } from '../../src/dsl/index.js';
import type { PolicySpec } from '../../src/ir/spec.js';
import { normalize } from '../../src/ir/normalize.js';
import { ARCHES, compatArches, hostArch, resolveSyscall } from '../../src/syscalls/index.js';
import type { ArchSection, Condition, PolicyIR } from '../../src/ir/types.js';
import { condition } from '../../src/ir/operators.js';

const nr = (arch: keyof typeof ARCHES, name: string) => resolveSyscall(arch, name)!;

function ok(spec: PolicySpec, arches?: string[]): PolicyIR {
  const r = normalize(spec, arches ? { arches } : {});
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors, [], 'no errors');
  assert.ok(r.ir);
  return r.ir!;
}

function section(ir: PolicyIR, arch: string): ArchSection {
  const s = ir.sections.find((x) => x.arch === arch);
  assert.ok(s, `section ${arch}`);
  return s!;
}

/** The rules of one syscall as [conditions, action kind, origin path]. */
function rulesOf(ir: PolicyIR, arch: keyof typeof ARCHES, name: string) {
  const s = section(ir, arch).syscalls.find((x) => x.nr === nr(arch, name));
  return s?.rules.map((r) => [r.conditions, r.action, r.origin.path]);
}

test('default arches are the host arch and its compat arches, sorted by auditArch then nrBase', () => {
  const ir = ok(policy({ default: allow(), rules: [] }));
  const expected = [...compatArches(hostArch())].sort((a, b) => a.auditArch - b.auditArch || a.nrBase - b.nrBase);
  assert.equal(ir.sections.map((s) => s.arch), expected.map((a) => a.name));
  assert.equal(ir.badArch, { kind: 'kill_process' });
});

test('options.arches overrides the policy, duplicates and aliases fold', () => {
  const ir = ok(policy({ default: allow(), arch: ['x86'], rules: [] }), ['aarch64', 'x86_64', 'arm64', 'x32']);
  assert.equal(ir.sections.map((s) => [s.arch, s.nrBase]), [['x86_64', 0], ['x32', 0x40000000], ['aarch64', 0]]);
});

test('sections carry arch facts; syscalls sorted by nr; errno names resolved per arch', () => {
  const ir = ok(policy({ default: errno('EDEADLOCK'), arch: ['ppc64le', 's390x', 'x32'], rules: [allow('write', 'read', 'close')] }));
  for (const s of ir.sections) {
    const a = ARCHES[s.arch];
    assert.equal([s.auditArch, s.nrBase, s.knownNrs, s.endian], [a.auditArch, a.nrBase, a.knownNrs, a.endian]);
    const nrs = s.syscalls.map((x) => x.nr);
    assert.equal(nrs, [...nrs].sort((x, y) => x - y));
    assert.equal(s.syscalls.map((x) => x.name).sort(), ['close', 'read', 'write']);
  }
  assert.equal(section(ir, 'ppc64le').defaultAction, { kind: 'errno', errno: 58 });
  assert.equal(section(ir, 's390x').defaultAction, { kind: 'errno', errno: 35 });
  assert.equal(section(ir, 's390x').endian, 'big');
  assert.ok(section(ir, 'x32').syscalls.every((x) => x.nr >= 0x40000000));
});

const newerCases: Array<[string, PolicySpec, unknown]> = [
  ['errno default -> ENOSYS', policy({ default: errno('EPERM'), rules: [] }), { kind: 'errno', errno: 38 }],
  ['kill default -> ENOSYS', policy({ default: kill(), rules: [] }), { kind: 'errno', errno: 38 }],
  ['allow default -> allow', policy({ default: allow(), rules: [] }), { kind: 'allow' }],
  ['log default -> log', policy({ default: log(), rules: [] }), { kind: 'log' }],
  ['trap default -> trap', policy({ default: trap(3), rules: [] }), { kind: 'trap', data: 3 }],
  ['explicit', policy({ default: kill(), newer: errno(1), rules: [] }), { kind: 'errno', errno: 1 }],
];
for (const [name, spec, expected] of newerCases) {
  test(`newer: ${name}`, () => {
    for (const s of ok(spec, ['x86_64', 'aarch64']).sections) assert.equal(s.newer, expected);
  });
}

test('rules keep policy order per syscall; conditions become bigint IR conditions', () => {
  const ir = ok(
    policy({
      default: errno('EPERM'),
      arch: 'x86_64',
      rules: [
        allow('read').when(arg(0).eq(0), arg(2).int.eq(-1)),
        errno(5).on('write', 'read').when(arg(1).maskedEq(0xf0n, 0x10)),
        allow('read', 'read'),
        kill().on('write').when(arg(5).ge(asU64(-2))),
      ],
    }),
  );
  const c = (arg: number, op: Condition['op'], width: 32 | 64, value: bigint, mask?: bigint): Condition => condition(arg, op, width, value, mask);
  assert.equal(rulesOf(ir, 'x86_64', 'read'), [
    [[c(0, 'eq', 64, 0n), c(2, 'eq', 32, 0xffffffffn)], { kind: 'allow' }, 'rules[0]'],
    [[c(1, 'masked_eq', 64, 0x10n, 0xf0n)], { kind: 'errno', errno: 5 }, 'rules[1]'],
    [[], { kind: 'allow' }, 'rules[2]'],
  ]);
  assert.equal(rulesOf(ir, 'x86_64', 'write'), [
    [[c(1, 'masked_eq', 64, 0x10n, 0xf0n)], { kind: 'errno', errno: 5 }, 'rules[1]'],
    [[c(5, 'ge', 64, (1n << 64n) - 2n)], { kind: 'kill_process' }, 'rules[3]'],
  ]);
});

test('a syscall absent on one target arch is skipped there and listed', () => {
  const r = normalize(policy({ default: kill(), arch: ['x86_64', 'aarch64'], rules: [errno(1).on('open', 'openat', 'arch_prctl')] }));
  assert.equal(r.diagnostics, []);
  assert.equal(r.skipped, [
    { arch: 'aarch64', syscall: 'arch_prctl' },
    { arch: 'aarch64', syscall: 'open' },
  ]);
  assert.ok(rulesOf(r.ir!, 'x86_64', 'open'));
  assert.equal(section(r.ir!, 'aarch64').syscalls.map((s) => s.name), ['openat']);
});

test('multiplexers: a socket/ipc rule also governs socketcall/ipc with the sub-call', () => {
  const ir = ok(policy({ default: allow(), arch: ['x86', 's390x', 'x86_64'], rules: [errno('EACCES').on('connect', 'shmat')] }));
  for (const arch of ['x86', 's390x'] as const) {
    assert.equal(rulesOf(ir, arch, 'socketcall'), [
      [[condition(0, 'eq', 32, 3n)], { kind: 'errno', errno: 13 }, 'rules[0].syscalls[0]'],
    ]);
    assert.equal(rulesOf(ir, arch, 'ipc'), [
      [[condition(0, 'masked_eq', 32, 21n, 0xffffn)], { kind: 'errno', errno: 13 }, 'rules[0].syscalls[1]'],
    ]);
    assert.equal(rulesOf(ir, arch, 'connect'), [[[], { kind: 'errno', errno: 13 }, 'rules[0]']]);
  }
  assert.not.ok(section(ir, 'x86_64').syscalls.some((s) => s.name === 'socketcall' || s.name === 'ipc'));
});

test('multiplexers: conditioned rule allowed when an earlier rule decides the sub-call (expansion dropped)', () => {
  const r = normalize(
    policy({
      default: kill(),
      arch: ['x86', 'x86_64'],
      rules: [
        errno('EAFNOSUPPORT').on('socketcall').when(arg(0).int.eq(1)),
        allow('socket').when(arg(0).eq(1)),
        errno('EAFNOSUPPORT').on('socket'),
      ],
    }),
  );
  assert.equal(r.diagnostics, []);
  assert.equal(rulesOf(r.ir!, 'x86', 'socketcall')!.map((x) => x[2]), ['rules[0]']);
  assert.equal(rulesOf(r.ir!, 'x86', 'socket')!.map((x) => x[2]), ['rules[1]', 'rules[2]']);
});

test('multiplexers: an expansion can shadow a later explicit multiplexer rule', () => {
  const r = normalize(
    policy({ default: kill(), arch: ['x86'], rules: [errno(1).on('socket'), allow('socketcall').when(arg(0).int.eq(1))] }),
  );
  assert.equal(r.diagnostics.map((d) => [d.code, d.path]), [['shadowed-rule', 'rules[1]']]);
  assert.match(r.diagnostics[0]!.message, /rules\[0\] \(socket through socketcall\)/);
});

test('forArch: a rule exists only on the arches it names', () => {
  const ir = ok(
    policy({
      default: allow(),
      arch: ['x86_64', 's390x'],
      rules: [
        allow('clone').when(arg(0).int.maskedEq(0x10000000, 0)).forArch('x86_64', 'aarch64'),
        allow('clone').when(arg(1).int.maskedEq(0x10000000, 0)).forArch('s390x'),
        errno('EPERM').on('clone'),
      ],
    }),
  );
  assert.equal(rulesOf(ir, 'x86_64', 'clone')!.map((r) => r[2]), ['rules[0]', 'rules[2]']);
  assert.equal(rulesOf(ir, 's390x', 'clone')!.map((r) => r[2]), ['rules[1]', 'rules[2]']);
});

test('deterministic: same spec, same IR', () => {
  const spec = policy({ default: errno('EPERM'), arch: ['x86_64', 'x86', 'aarch64'], rules: [allow('read', 'write'), errno(1).on('socket').when(arg(0).ne(1))] });
  assert.equal(normalize(spec, { arches: ['aarch64', 'x86_64'] }).ir, normalize(spec, { arches: ['x86_64', 'aarch64'] }).ir);
});

test.run();
