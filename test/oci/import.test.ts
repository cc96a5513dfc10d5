// The importer on bad and edge-case profiles: every problem is a diagnostic with a stable code,
// the JSON path and (from text) line:column; and the shape of the IR for the cases runc and
// libseccomp treat specially.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { importOciProfile, type OciImportOptions } from '../../src/oci/index.js';
import { parseJson, JsonSyntaxError } from '../../src/oci/json.js';
import type { PolicyIR } from '../../src/ir/types.js';
import { decide } from '../../src/ir/semantics.js';
import { ARCHES } from '../../src/syscalls/index.js';
import { condition } from '../../src/ir/operators.js';

const OPTS: OciImportOptions = { arch: 'x86_64', kernel: '6.1', caps: [] };
const base = (syscalls: unknown[], extra: object = {}) => JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], syscalls, ...extra }, null, 2);

// [what, profile text, expected (severity, code, path) triples (subset, in any order)]
const NEGATIVE: [string, string, [string, string, string][]][] = [
  ['not JSON', '{"defaultAction": "SCMP_ACT_ALLOW",}', [['error', 'oci-json-syntax', '']]],
  ['missing defaultAction', '{"syscalls": []}', [['error', 'oci-missing-field', 'defaultAction']]],
  ['unknown top-level field', base([], { defaultErrnoRett: 1 }), [['error', 'oci-unknown-field', 'defaultErrnoRett']]],
  ['misspelt args', base([{ names: ['read'], action: 'SCMP_ACT_ALLOW', arg: [] }]), [['error', 'oci-unknown-field', 'syscalls[0].arg']]],
  ['unknown action', base([{ names: ['read'], action: 'SCMP_ACT_ALOW' }]), [['error', 'oci-unknown-action', 'syscalls[0].action']]],
  ['unknown op', base([{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQUAL' }] }]), [['error', 'oci-unknown-op', 'syscalls[0].args[0].op']]],
  ['index out of range', base([{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }] }]), [['error', 'oci-arg-index', 'syscalls[0].args[0].index']]],
  ['negative value', base([{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: -1, op: 'SCMP_CMP_EQ' }] }]), [['error', 'oci-type', 'syscalls[0].args[0].value']]],
  ['value over u64', '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":18446744073709551616,"op":"SCMP_CMP_EQ"}]}]}', [['error', 'oci-range', 'syscalls[0].args[0].value']]],
  ['names is a string', base([{ names: 'read', action: 'SCMP_ACT_ALLOW' }]), [['error', 'oci-type', 'syscalls[0].names'], ['error', 'oci-no-names', 'syscalls[0].names']]],
  ['name and names', base([{ name: 'write', names: ['read'], action: 'SCMP_ACT_ALLOW' }]), [['error', 'oci-name-and-names', 'syscalls[0].name']]],
  ['errnoRet beyond 16 bits', base([{ names: ['read'], action: 'SCMP_ACT_ERRNO', errnoRet: 65536 }]), [['error', 'oci-errno-range', 'syscalls[0].errnoRet']]],
  ['errno libseccomp refuses', base([{ names: ['read'], action: 'SCMP_ACT_ERRNO', errnoRet: 4095 }]), [['error', 'oci-errno-range', 'syscalls[0].errnoRet']]],
  ['errno name and number disagree', base([{ names: ['read'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, errno: 'EACCES' }]), [['error', 'oci-errno-mismatch', 'syscalls[0].errno']]],
  ['unknown arch', base([], { architectures: ['SCMP_ARCH_AMD64'] }), [['error', 'oci-unknown-arch', 'architectures[0]']]],
  ['mixed byte order', base([], { architectures: ['SCMP_ARCH_S390X'] }), [['error', 'oci-mixed-endian', 'architectures']]],
  ['architectures and archMap', base([], { archMap: [{ architecture: 'SCMP_ARCH_X86_64' }] }), [['error', 'oci-arches-and-archmap', 'archMap']]],
  ['unknown flag', base([], { flags: ['SECCOMP_FILTER_FLAG_FAST'] }), [['error', 'oci-unknown-flag', 'flags[0]']]],
  ['notify as default', '{"defaultAction":"SCMP_ACT_NOTIFY"}', [['error', 'oci-notify-default', 'defaultAction']]],
  ['notify on write', base([{ names: ['write'], action: 'SCMP_ACT_NOTIFY' }], { listenerPath: '/run/agent.sock' }), [['error', 'oci-notify-write', 'syscalls[0].names[0]'], ['warning', 'oci-listener-unsupported', 'listenerPath']]],
  [
    'overlapping rules with different actions',
    base([
      { names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 5, op: 'SCMP_CMP_GT' }] },
      { names: ['read'], action: 'SCMP_ACT_KILL_PROCESS', args: [{ index: 0, value: 10, op: 'SCMP_CMP_LT' }] },
    ]),
    [['error', 'oci-ambiguous-overlap', 'syscalls[1].names[0]']],
  ],
  [
    'socket conditions collide on socketcall',
    base(
      [
        { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] },
        { names: ['socket'], action: 'SCMP_ACT_ERRNO', errnoRet: 97, args: [{ index: 0, value: 10, op: 'SCMP_CMP_EQ' }] },
      ],
      { architectures: ['SCMP_ARCH_X86'] },
    ),
    [['error', 'oci-ambiguous-overlap', 'syscalls[1].names[0]']],
  ],
];

for (const [what, text, expected] of NEGATIVE) {
  test(`refuses: ${what}`, () => {
    const res = importOciProfile(text, OPTS);
    const got = res.diagnostics.map((d) => [d.severity, d.code, d.path]);
    for (const e of expected) assert.ok(got.some((g) => g.join('|') === e.join('|')), `missing ${e.join(' ')} in ${JSON.stringify(got)}`);
    if (expected.some((e) => e[0] === 'error')) assert.is(res.ir, undefined);
  });
}

const WARNINGS: [string, string, [string, string][]][] = [
  ['unknown syscall (runc ignores it)', base([{ names: ['raed'], action: 'SCMP_ACT_ALLOW' }]), [['oci-unknown-syscall', 'syscalls[0].names[0]']]],
  ['conditions on one argument are split', base([{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_GT' }, { index: 0, value: 9, op: 'SCMP_CMP_LT' }] }]), [['oci-split-conditions', 'syscalls[0].args']]],
  ['value cut to 32 bits on x86', base([{ names: ['read'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 4294967296, op: 'SCMP_CMP_EQ' }] }], { architectures: ['SCMP_ARCH_X86'] }), [['oci-truncated-value', 'syscalls[0].args[0]']]],
  ['errnoRet on ALLOW', base([{ names: ['read'], action: 'SCMP_ACT_ALLOW', errnoRet: 3 }]), [['oci-errno-ignored', 'syscalls[0].errnoRet']]],
  ['unsupported arch', base([], { architectures: ['SCMP_ARCH_MIPS'] }), [['oci-unsupported-arch', 'architectures[0]']]],
  ['includes.arches with a name the engine never uses', base([{ names: ['read'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['x86_64'] } }]), [['oci-unknown-engine-arch', 'syscalls[0].includes.arches[0]']]],
  ['capability without CAP_', base([{ names: ['read'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['SYS_ADMIN'] } }]), [['oci-cap-name', 'syscalls[0].includes.caps[0]']]],
  ['archMap without the native arch', JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', archMap: [{ architecture: 'SCMP_ARCH_AARCH64' }] }), [['oci-archmap-no-native', 'archMap']]],
];

for (const [what, text, expected] of WARNINGS) {
  test(`warns: ${what}`, () => {
    const res = importOciProfile(text, OPTS);
    const got = res.diagnostics.map((d) => [d.code, d.path]);
    for (const e of expected) assert.ok(got.some((g) => g.join('|') === e.join('|')), `missing ${e.join(' ')} in ${JSON.stringify(got)}`);
    assert.ok(res.diagnostics.every((d) => d.severity === 'warning'));
    assert.ok(res.ir);
  });
}

test('diagnostics from text carry line and column', () => {
  const text = '{\n  "defaultAction": "SCMP_ACT_ERRNO",\n  "syscalls": [\n    { "names": ["read"], "action": "SCMP_ACT_ALOW" }\n  ]\n}';
  const [d] = importOciProfile(text, OPTS).diagnostics;
  assert.equal([d?.location?.line, d?.location?.column, d?.path], [4, 36, 'syscalls[0].action']);
});

function section(ir: PolicyIR | undefined, arch: string) {
  const s = ir?.sections.find((x) => x.arch === arch);
  if (!s) throw new Error(`no ${arch} section`);
  return s;
}

test('runc semantics: native arch always covered, default-action rules dropped, first unconditional rule decides alone', () => {
  const res = importOciProfile(
    base(
      [
        { names: ['read'], action: 'SCMP_ACT_ERRNO' }, // = default ERRNO(EPERM): dropped
        { names: ['write'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] },
        { names: ['write'], action: 'SCMP_ACT_LOG' },
        { names: ['write'], action: 'SCMP_ACT_TRAP' },
      ],
      { architectures: ['SCMP_ARCH_X86'] },
    ),
    OPTS,
  );
  assert.equal(res.arches, ['x86_64', 'x86']);
  const s = section(res.ir, 'x86_64');
  assert.is(s.syscalls.find((x) => x.nr === 0), undefined);
  assert.equal(s.syscalls.find((x) => x.nr === 1)?.rules.map((r) => [r.action.kind, r.conditions.length]), [['log', 0]]);
  assert.equal(res.ir?.badArch, { kind: 'kill_thread' });
});

test("runc's -ENOSYS stub: above the largest named syscall, unless the default action allows", () => {
  const deny = importOciProfile(base([{ names: ['read', 'openat'], action: 'SCMP_ACT_ALLOW' }]), OPTS);
  const s = section(deny.ir, 'x86_64');
  assert.equal(s.knownNrs, [{ start: 0, end: ARCHES.x86_64.syscalls.get('openat')! + 1 }]);
  assert.equal(s.newer, { kind: 'errno', errno: 38 });
  const allow = importOciProfile(JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_KILL' }] }), OPTS);
  const t = section(allow.ir, 'x86_64');
  assert.equal(t.knownNrs, ARCHES.x86_64.knownNrs);
  assert.equal(t.newer, { kind: 'allow' });
});

// runc's stub on arm: a profile naming an ARM-private call (set_tls, 0xf0005) moves the stub up
// there, so the numbers between the regular calls and 0xf0000 get the default, as under runc.
const ARM_STUB: [string, string[], [number, string][]][] = [
  [
    'regular calls only: ENOSYS from the last one named up',
    ['read', 'openat'],
    [[1, 'errno 1'], [ARCHES.arm.syscalls.get('openat')!, 'allow'], [ARCHES.arm.syscalls.get('openat')! + 1, 'errno 38'], [0xf0005, 'errno 38']],
  ],
  [
    'set_tls named: the stub starts above it, the gap below gets the default',
    ['read', 'set_tls'],
    [[ARCHES.arm.knownNrs[0]!.end, 'errno 1'], [0xeffff, 'errno 1'], [0xf0000, 'errno 1'], [0xf0005, 'allow'], [0xf0006, 'errno 38'], [0x100000, 'errno 38']],
  ],
];
for (const [what, names, cases] of ARM_STUB) {
  test(`runc's -ENOSYS stub on arm: ${what}`, () => {
    const opts: OciImportOptions = { ...OPTS, arch: 'arm' };
    const res = importOciProfile(base([{ names, action: 'SCMP_ACT_ALLOW' }], { architectures: ['SCMP_ARCH_ARM'] }), opts);
    const s = section(res.ir, 'arm');
    const last = Math.max(...names.map((n) => ARCHES.arm.syscalls.get(n)!));
    assert.equal(s.knownNrs, [{ start: 0, end: last + 1 }]);
    for (const [nr, want] of cases) {
      const got = decide(res.ir!, { arch: ARCHES.arm.auditArch, nr, args: [] });
      assert.is(got.kind === 'errno' ? `errno ${got.errno}` : got.kind, want, `nr 0x${nr.toString(16)}`);
    }
  });
}

test('socket calls on x86 also govern socketcall, argument 0 replaced by the call number', () => {
  const res = importOciProfile(base([{ names: ['connect'], action: 'SCMP_ACT_ALLOW', args: [{ index: 2, value: 110, op: 'SCMP_CMP_LE' }] }], { architectures: ['SCMP_ARCH_X86'] }), OPTS);
  const s = section(res.ir, 'x86');
  const mux = s.syscalls.find((x) => x.name === 'socketcall');
  assert.equal(mux?.rules[0]?.conditions, [
    condition(0, 'eq', 32, 3n),
    condition(2, 'le', 32, 110n),
  ]);
  assert.ok(s.syscalls.find((x) => x.name === 'connect'));
});

test('includes/excludes by caps, kernel and arch', () => {
  const text = JSON.stringify({
    defaultAction: 'SCMP_ACT_ERRNO',
    syscalls: [
      { names: ['bpf'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
      { names: ['io_uring_setup'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '5.1' } },
      { names: ['open_tree'], action: 'SCMP_ACT_ALLOW', excludes: { minKernel: '5.2' } },
      { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64'] } },
      { names: ['set_tls'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['arm'] } },
    ],
  });
  const names = (o: OciImportOptions) => section(importOciProfile(text, o).ir, 'x86_64').syscalls.map((s) => s.name);
  assert.equal(names({ arch: 'x86_64', kernel: '6.1', caps: [] }), ['arch_prctl', 'io_uring_setup']);
  assert.equal(names({ arch: 'x86_64', kernel: '5.1.3', caps: ['sys_admin'] }), ['arch_prctl', 'bpf', 'io_uring_setup', 'open_tree'].sort((a, b) => ARCHES.x86_64.syscalls.get(a)! - ARCHES.x86_64.syscalls.get(b)!));
  assert.equal(names({ arch: 'x86_64', kernel: '4.19', caps: ['ALL'] }), ['arch_prctl', 'bpf', 'open_tree'].sort((a, b) => ARCHES.x86_64.syscalls.get(a)! - ARCHES.x86_64.syscalls.get(b)!));
});

test('an unknown capability in caps is an error (it would silently never match includes.caps)', () => {
  const r = importOciProfile('{"defaultAction":"SCMP_ACT_ALLOW"}', { arch: 'x86_64', kernel: '6.1', caps: ['CAP_SYS_ADMIN', 'SYS_ADMN'] });
  assert.is(r.ir, undefined);
  assert.equal(
    r.diagnostics.map((d) => [d.severity, d.code, d.message]),
    [['error', 'oci-unknown-capability', "caps: unknown capability 'SYS_ADMN' (did you mean CAP_SYS_ADMIN or CAP_SYS_TIME?)"]],
  );
  assert.ok(importOciProfile('{"defaultAction":"SCMP_ACT_ALLOW"}', { arch: 'x86_64', kernel: '6.1', caps: ['all', 'cap_bpf', 'Sys_Admin'] }).ir);
});

test('json: exact u64 numbers and positions; syntax errors with a place', () => {
  const n = parseJson('{"a": [18446744073709551615, -1.5e3]}');
  assert.equal(n.kind === 'object' && n.entries[0]!.value.kind === 'array' ? n.entries[0]!.value.items.map((i) => (i.kind === 'number' ? i.text : '')) : [], ['18446744073709551615', '-1.5e3']);
  assert.throws(() => parseJson('{"a": 1,\n }'), (e: unknown) => e instanceof JsonSyntaxError && e.pos.line === 2);
  assert.throws(() => parseJson('[1] x'), (e: unknown) => e instanceof JsonSyntaxError);
  assert.throws(() => parseJson('"\\q"'), (e: unknown) => e instanceof JsonSyntaxError);
});

test('a profile value nested deeper than the JSON reader allows, or cyclic: an error, not a stack overflow', () => {
  let deep: unknown = [];
  for (let i = 0; i < 100_000; i++) deep = [deep];
  const cyclic: Record<string, unknown> = { defaultAction: 'SCMP_ACT_ALLOW' };
  cyclic.syscalls = [cyclic];
  for (const value of [{ defaultAction: 'SCMP_ACT_ALLOW', syscalls: deep }, cyclic]) {
    const r = importOciProfile(value, { arch: 'x86_64', kernel: '6.1' });
    assert.is(r.ir, undefined);
    assert.equal(r.diagnostics.map((d) => d.code), ['oci-json-syntax']);
    assert.match(r.diagnostics[0]!.message, /nested more than 64 levels deep/);
  }
  // an ordinary profile value still imports
  const ok = importOciProfile({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] }, { arch: 'x86_64', kernel: '6.1' });
  assert.ok(ok.ir, JSON.stringify(ok.diagnostics));
});

test.run();
