// explain's model: the routes and rules per (arch, syscall) as tables, and a differential check
// that evaluating the explanation (first rule whose conditions hold, else the fallback) gives
// what the IR's own semantics decide, on each condition's interesting values.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { explainPolicy, type Route } from '../../src/analysis/explain.js';
import { explanationDot } from '../../src/analysis/explain-dot.js';
import { AF_INET, AF_UNIX, CLONE_NEWUSER, SOCKETCALL } from '../../src/index.js';
import { allow, arg, errno, kill, policy } from '../../src/dsl/index.js';
import type { PolicySpec } from '../../src/ir/spec.js';
import { normalize } from '../../src/ir/normalize.js';
import { conditionHolds, decide } from '../../src/ir/semantics.js';
import type { PolicyIR } from '../../src/ir/types.js';
import { ARCHES } from '../../src/syscalls/index.js';
import type { Action } from '../../src/seccomp/abi.js';

const P = {
  net: policy({
    default: errno('EPERM'),
    arch: ['x86_64', 'x86'],
    rules: [
      errno('EAFNOSUPPORT').on('socketcall').when(arg(0).int.eq(SOCKETCALL.SYS_SOCKET)),
      allow('socket').when(arg(0).int.eq(AF_UNIX)),
      allow('socket').when(arg(0).int.eq(AF_INET), arg(1).int.lt(4)),
      errno('EACCES').on('socket'),
      allow('read', 'connect'),
      kill().on('ptrace'),
      allow('ptrace'),
    ],
  }),
  clone: policy({
    default: allow(),
    arch: ['x86_64', 's390x'],
    rules: [
      allow('clone').when(arg(0).int.maskedEq(CLONE_NEWUSER, 0)).forArch('x86_64'),
      allow('clone').when(arg(1).int.maskedEq(CLONE_NEWUSER, 0)).forArch('s390x'),
      errno('EPERM').on('clone'),
      errno('ENOSYS').on('clone3'),
    ],
  }),
} satisfies Record<string, PolicySpec>;

function ir(spec: PolicySpec): PolicyIR {
  const n = normalize(spec);
  assert.ok(n.ir, n.diagnostics.map((d) => d.message).join('\n'));
  return n.ir!;
}

const kind = (a: Action | undefined) => (a === undefined ? '-' : a.kind === 'errno' ? `errno ${a.errno}` : a.kind);

// [policy, arch, syscall, per route: [via, [rule path, #conditions, action, unreachable]...], fallback]
type Row = [keyof typeof P, string, string, Array<[string, Array<[string, number, string, boolean]>, string]>];
const ROWS: Row[] = [
  ['net', 'x86_64', 'socket', [['', [['rules[1]', 1, 'allow', false], ['rules[2]', 2, 'allow', false], ['rules[3]', 0, 'errno 13', false]], '-']]],
  ['net', 'x86', 'socket', [
    ['', [['rules[1]', 1, 'allow', false], ['rules[2]', 2, 'allow', false], ['rules[3]', 0, 'errno 13', false]], '-'],
    ['socketcall', [['rules[0]', 0, 'errno 97', false]], '-'],
  ]],
  ['net', 'x86', 'connect', [['', [['rules[4]', 0, 'allow', false]], '-'], ['socketcall', [['rules[4].syscalls[1]', 0, 'allow', false]], '-']]],
  ['net', 'x86_64', 'ptrace', [['', [['rules[5]', 0, 'kill_process', false], ['rules[6]', 0, 'allow', true]], '-']]],
  ['net', 'x86_64', 'write', [['', [], 'errno 1']]],
  ['net', 'x86_64', 'socketcall', []],
  ['clone', 's390x', 'clone', [['', [['rules[1]', 1, 'allow', false], ['rules[2]', 0, 'errno 1', false]], '-']]],
  ['clone', 'x86_64', 'clone', [['', [['rules[0]', 1, 'allow', false], ['rules[2]', 0, 'errno 1', false]], '-']]],
];

for (const [p, arch, syscall, routes] of ROWS) {
  test(`${p}: ${syscall} on ${arch}`, () => {
    const e = explainPolicy(ir(P[p]), { syscalls: [syscall] });
    const x = e.sections.find((s) => s.arch === arch)!.syscalls[0]!;
    const got = x.routes.map((r: Route) => [r.via?.syscall ?? '', r.rules.map((q) => [q.origin.path, q.conditions.length, kind(q.action), q.unreachable]), kind(r.fallback)]);
    assert.equal(got, routes);
  });
}

test('without syscalls: every syscall a rule names, per arch, with the defaults', () => {
  const e = explainPolicy(ir(P.net));
  const x86 = e.sections.find((s) => s.arch === 'x86')!;
  assert.equal(x86.syscalls.map((s) => s.syscall), ['connect', 'ptrace', 'read', 'socket', 'socketcall']);
  assert.equal(kind(x86.defaultAction), 'errno 1');
  assert.equal(kind(e.badArch), 'kill_process');
});

test('rules carry the source location the DSL recorded', () => {
  const spec = P.net;
  const e = explainPolicy(ir(spec), { syscalls: ['read'], locate: (i) => spec.rules[i]?.location });
  const rule = e.sections[0]!.syscalls[0]!.routes[0]!.rules[0]!;
  assert.match(rule.location!.file, /explain\.test\.ts$/);
  assert.is(rule.location!.line, spec.rules[4]!.location!.line);
});

// Interesting values of each argument: every compared value, its neighbours, 0 and all ones.
function samples(values: bigint[]): bigint[] {
  const out = new Set<bigint>([0n, 0xffffffffn, 0xffffffffffffffffn]);
  for (const v of values) for (const d of [-1n, 0n, 1n]) if (v + d >= 0n) out.add(v + d);
  return [...out];
}

for (const p of Object.keys(P) as (keyof typeof P)[]) {
  test(`${p}: evaluating the explanation agrees with the IR semantics`, () => {
    const policyIr = ir(P[p]);
    for (const section of explainPolicy(policyIr).sections) {
      for (const x of section.syscalls) {
        for (const r of x.routes) {
          const values = samples(r.rules.flatMap((q) => q.conditions.flatMap((c) => [c.value, c.value | (c.mask ?? 0n)])));
          for (const a0 of values) for (const a1 of values) {
            const args = r.via ? [BigInt(ARCHES[section.arch].multiplexers.find((m) => m.syscall === r.via!.syscall)!.calls[x.syscall]!), a1] : [a0, a1];
            const rule = r.rules.find((q) => q.conditions.every((c) => conditionHolds(c, args)));
            const explained = rule?.action ?? r.fallback;
            const actual = decide(policyIr, { arch: ARCHES[section.arch].auditArch, nr: r.nr, args });
            assert.equal(explained, actual, `${x.syscall} on ${section.arch} via ${r.via?.syscall ?? 'own nr'} args ${args}`);
          }
        }
      }
    }
  });
}

test('dot: a cluster per (arch, route), yes/no edges, unreachable rules left out', () => {
  const e = explainPolicy(ir(P.net), { syscalls: ['socket'] });
  const dot = explanationDot(e.sections.flatMap((s) => s.syscalls));
  assert.match(dot, /^digraph "socket" \{\n/);
  assert.is(dot.match(/subgraph cluster_/g)!.length, 3); // x86 direct, x86 socketcall, x86_64
  assert.match(dot, /label="socket on x86, through|label="socket on x86: socketcall \(nr 102\) sub-call 1"/);
  assert.match(dot, /c\d_r1_c0 -> c\d_r1_c1 \[label="yes"\];/);
  assert.match(dot, /c\d_r1_c1 -> c\d_r1 \[label="yes"\];/);
  assert.match(dot, /c\d_r0_c0 -> c\d_r1_c0 \[label="no"\];/);
  assert.match(dot, /c\d_r1_c1 -> c\d_r2 \[label="no"\];/);
  const ptrace = explanationDot(explainPolicy(ir(P.net), { syscalls: ['ptrace'], arches: ['x86_64'] }).sections.flatMap((s) => s.syscalls));
  assert.match(ptrace, /kill_process/);
  assert.not.match(ptrace, /rules\[6\]/);
  assert.not.match(ptrace, /default/);
});

test.run();
