// The syscall groups as data: every member a known syscall or group, no include cycles, the
// systemd set present, per-arch resolution, and groups named in rules lowering per arch.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GROUP_NAMES, SYSCALL_GROUPS, groupSyscalls, groupSyscallsOn, isGroupName } from '../../src/syscalls/group.js';
import { ARCHES, ARCH_NAMES, isKnownSyscall } from '../../src/syscalls/index.js';
import { allow, errno, policy } from '../../src/dsl/index.js';
import { normalize } from '../../src/ir/normalize.js';

test('the group list and the group table name the same groups', () => {
  assert.equal(Object.keys(SYSCALL_GROUPS).sort(), [...GROUP_NAMES].sort());
});

for (const g of GROUP_NAMES) {
  test(`${g}: every member is a syscall on some arch or a group; it resolves without a cycle`, () => {
    assert.ok(SYSCALL_GROUPS[g].description.length > 0);
    for (const m of SYSCALL_GROUPS[g].members) {
      assert.ok(m.startsWith('@') ? isGroupName(m) : isKnownSyscall(m), `${g}: ${m} is neither a known syscall nor a group`);
    }
    const names = groupSyscalls(g);
    assert.ok(names.length > 0);
    assert.equal([...names], [...new Set(names)].sort(), 'sorted, each once');
    assert.ok(ARCH_NAMES.some((a) => groupSyscallsOn(ARCHES[a], g).length > 0), `${g} is empty on every arch`);
  });
}

test("systemd's groups are all there", () => {
  for (const g of ['@basic-io', '@file-system', '@io-event', '@ipc', '@network-io', '@process', '@signal', '@timer', '@system-service',
    '@mount', '@privileged', '@module', '@raw-io', '@reboot', '@swap', '@clock', '@debug', '@obsolete', '@cpu-emulation', '@sync',
    '@aio', '@chown', '@keyring', '@memlock', '@pkey', '@resources', '@sandbox', '@setuid', '@default']) {
    assert.ok(isGroupName(g), g);
  }
});

// [group, arch, present on that arch, absent there]
const PER_ARCH: Array<[(typeof GROUP_NAMES)[number], keyof typeof ARCHES, string[], string[]]> = [
  ['@network-io', 'x86_64', ['socket', 'connect', 'recvfrom'], ['socketcall', 'recv']],
  ['@network-io', 'x86', ['socket', 'socketcall'], []],
  ['@file-system', 'aarch64', ['openat', 'newfstatat'], ['open', 'stat', 'creat']],
  ['@file-system', 'x86_64', ['open', 'openat', 'openat2'], ['stat64']],
  ['@cpu-emulation', 'x86', ['vm86', 'modify_ldt'], ['switch_endian', 'subpage_prot']],
  ['@cpu-emulation', 'aarch64', [], ['vm86', 'modify_ldt', 'switch_endian']],
  ['@cpu-emulation', 'ppc64le', ['switch_endian', 'subpage_prot'], []],
];
for (const [g, arch, present, absent] of PER_ARCH) {
  test(`${g} on ${arch}`, () => {
    const on = groupSyscallsOn(ARCHES[arch], g);
    for (const s of present) assert.ok(on.includes(s as never), `${s} should be in ${g} on ${arch}`);
    for (const s of absent) assert.not.ok(on.includes(s as never), `${s} should not be in ${g} on ${arch}`);
  });
}

test('included groups are expanded: @privileged holds @reboot, @system-service holds @basic-io', () => {
  assert.ok(groupSyscalls('@privileged').includes('reboot'));
  assert.ok(groupSyscalls('@privileged').includes('chown'));
  for (const s of groupSyscalls('@basic-io')) assert.ok(groupSyscalls('@system-service').includes(s), s);
  assert.not.ok(groupSyscalls('@system-service').includes('reboot'));
});

test('an unknown group name resolves to nothing: it throws with a suggestion', () => {
  assert.throws(() => groupSyscalls('@netwrk-io' as '@swap'), /unknown syscall group '@netwrk-io' \(did you mean @network-io\?\)/);
});

test('a policy with groups lowers per arch: names absent on an arch are skipped there', () => {
  const p = policy({
    default: errno('EPERM'),
    arch: ['x86_64', 'aarch64'],
    rules: [errno('EACCES').on('@mount'), allow('@basic-io', '@file-system')],
  });
  const n = normalize(p);
  assert.is(n.diagnostics.filter((d) => d.severity === 'error').length, 0);
  const names = (arch: string) => n.ir!.sections.find((s) => s.arch === arch)!.syscalls.map((s) => s.name);
  assert.ok(names('x86_64').includes('open'));
  assert.not.ok(names('aarch64').includes('open'));
  assert.ok(names('aarch64').includes('openat'));
  assert.ok(n.skipped.some((s) => s.arch === 'aarch64' && s.syscall === 'open'));
  const mount = n.ir!.sections.find((s) => s.arch === 'aarch64')!.syscalls.find((s) => s.name === 'mount')!;
  assert.equal(mount.rules[0]!.action, { kind: 'errno', errno: 13 });
});


// Groups in rules: [rules, expected diagnostics (code path)]
const IN_RULES: Array<[string, ReturnType<typeof policy>, string[]]> = [
  ['an exception carved out of a group before it is no shadowing',
    policy({ default: errno('EPERM'), arch: 'x86_64', rules: [errno('EACCES').on('mkdir'), allow('@file-system')] }), []],
  ['a name given on its own and shadowed is still reported',
    policy({ default: errno('EPERM'), arch: 'x86_64', rules: [errno('EACCES').on('mkdir'), allow('@file-system', 'mkdir')] }), ['shadowed-rule rules[1]']],
  ['an unknown group is an error with its path',
    policy({ default: errno('EPERM'), arch: 'x86_64', rules: [allow('read', '@netwrk-io' as '@ipc')] }), ['unknown-group rules[0].syscalls[1]']],
];
for (const [name, spec, expected] of IN_RULES) {
  test(name, () => {
    const n = normalize(spec);
    assert.equal(n.diagnostics.map((d) => `${d.code} ${d.path}`), expected, n.diagnostics.map((d) => d.message).join('\n'));
  });
}

test('a group named in a rule decides each of its calls, and its index is the group entry', () => {
  const n = normalize(policy({ default: errno('EPERM'), arch: 'x86', rules: [allow('read', '@swap')] }));
  const section = n.ir!.sections[0]!;
  for (const s of ['swapon', 'swapoff']) {
    const entry = section.syscalls.find((x) => x.name === s)!;
    assert.equal(entry.rules.map((r) => r.origin.path), ['rules[0]']);
  }
});

test.run();
