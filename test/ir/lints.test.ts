// The bypass lints as data: a policy in, the lint warnings (code, path, message) out. Only the
// lint codes are compared, so other warnings (shadowed rules) do not blur what is tested.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AF_UNIX, CLONE_NEWNS, SOCKETCALL } from '../../src/index.js';
import { allow, arg, errno, kill, policy } from '../../src/dsl/index.js';
import type { PolicySpec } from '../../src/ir/spec.js';
import { formatDiagnostic } from '../../src/ir/diagnostics.js';
import { normalize } from '../../src/ir/normalize.js';
import { loadPolicyFile } from '../../src/loader/policy-file.js';

const LINTS = new Set(['open-bypass', 'exec-bypass', 'clone3-bypass', 'io-uring-bypass', 'multiplexer-bypass', 'pointer-condition']);
type Case = [name: string, spec: PolicySpec, expected: Array<[code: string, path: string, message?: RegExp]>];

const cases: Case[] = [
  ['openat denied, open allowed by the default', policy({ default: allow(), arch: 'x86_64', rules: [errno('EACCES').on('openat')] }), [
    ['open-bypass', 'rules[0]', /openat is restricted by rules\[0\] but open is always allowed \(on x86_64\)/],
    ['open-bypass', 'rules[0]', /but creat is always allowed/],
    ['open-bypass', 'rules[0]', /but openat2 is always allowed/],
    ['io-uring-bypass', 'default', /io_uring_setup is allowed by the default on x86_64 while the policy refuses openat:/],
  ]],
  ['open restricted, openat allowed (the reverse)', policy({ default: errno('EPERM'), arch: 'x86_64', rules: [allow('open').when(arg(1).int.eq(0)), allow('openat', 'read')] }), [
    ['open-bypass', 'rules[0]', /open is restricted by rules\[0\] but openat is always allowed/],
  ]],
  ['the whole family restricted: no warning', policy({ default: allow(), arch: 'x86_64', rules: [errno('EACCES').on('open', 'openat', 'openat2', 'creat'), errno('ENOSYS').on('io_uring_setup')] }), []],
  ['openat2 refused with ENOSYS only: a fallback, not a restriction', policy({ default: allow(), arch: 'x86_64', rules: [errno('ENOSYS').on('openat2')] }), []],
  ['a default-deny allow-list that names openat but not open: no warning', policy({ default: errno('EPERM'), arch: 'x86_64', rules: [allow('openat', 'read')] }), []],
  ['open is absent on aarch64: nothing to bypass there', policy({ default: allow(), arch: 'aarch64', rules: [errno('EACCES').on('openat', 'openat2'), errno('ENOSYS').on('io_uring_setup')] }), []],
  ['execve denied, execveat allowed', policy({ default: allow(), arch: ['x86_64', 'aarch64'], rules: [kill().on('execve')] }), [
    ['exec-bypass', 'rules[0]', /execve is restricted by rules\[0\] but execveat is always allowed \(on x86_64, aarch64\)/],
  ]],
  ['clone with namespace checks while clone3 is allowed', policy({ default: errno('EPERM'), arch: 'x86_64', rules: [allow('clone').when(arg(0).int.maskedEq(CLONE_NEWNS, 0)), allow('clone3')] }), [
    ['clone3-bypass', 'rules[0]', /clone is restricted by rules\[0\] but clone3 is always allowed/],
  ]],
  ['clone checked, clone3 ENOSYS: no warning', policy({ default: errno('EPERM'), arch: 'x86_64', rules: [allow('clone').when(arg(0).int.maskedEq(CLONE_NEWNS, 0)), errno('ENOSYS').on('clone3')] }), []],
  ['io_uring allowed in a policy refusing sockets', policy({ default: allow(), arch: 'x86_64', rules: [errno('EAFNOSUPPORT').on('socket')] }), [
    ['io-uring-bypass', 'default', /io_uring_setup is allowed by the default on x86_64 while the policy refuses socket:/],
  ]],
  ['io_uring allowed by a rule in an allow-list', policy({ default: errno('EPERM'), arch: 'x86_64', rules: [allow('read', 'write'), allow('io_uring_setup', 'io_uring_enter')] }), [
    ['io-uring-bypass', 'rules[1]', /rules\[1\] allows io_uring_setup .* refuses open, openat, openat2, socket, \.\.\./],
  ]],
  ['io_uring refused: no warning', policy({ default: allow(), arch: 'x86_64', rules: [errno('EAFNOSUPPORT').on('socket'), errno('ENOSYS').on('io_uring_setup')] }), []],
  ['socket restricted, socketcall allowed first', policy({ default: errno('EPERM'), arch: ['x86', 'x86_64'], rules: [allow('socketcall'), allow('socket').when(arg(0).int.eq(AF_UNIX))] }), [
    ['multiplexer-bypass', 'rules[1]', /socket is restricted by rules\[1\] but socketcall sub-call 1 \(socket\) is allowed \(on x86\)/],
  ]],
  ['socket restricted and socketcall(SYS_SOCKET) decided: no warning', policy({
    default: allow(),
    arch: 'x86',
    rules: [errno('EPERM').on('socketcall').when(arg(0).int.eq(SOCKETCALL.SYS_SOCKET)), allow('socket').when(arg(0).int.eq(AF_UNIX)), errno('EPERM').on('socket', 'io_uring_setup')],
  }), []],
  ['a condition on a pointer argument', policy({ default: errno('EPERM'), arch: 'x86_64', rules: [allow('openat').when(arg(1).eq(0)), allow('read').when(arg(0).int.eq(0), arg(1).ne(0))] }), [
    ['pointer-condition', 'rules[0].conditions[0]', /argument 1 of openat is a pointer/],
    ['pointer-condition', 'rules[1].conditions[1]', /argument 1 of read is a pointer/],
  ]],
];

for (const [name, spec, expected] of cases) {
  test(name, () => {
    const n = normalize(spec);
    assert.is(n.diagnostics.filter((d) => d.severity === 'error').length, 0, n.diagnostics.map((d) => formatDiagnostic(d)).join('\n'));
    const got = n.diagnostics.filter((d) => LINTS.has(d.code));
    for (const d of got) assert.is(d.severity, 'warning');
    const key = (d: { code: string; path: string }) => `${d.code} ${d.path}`;
    assert.equal(got.map(key).sort(), expected.map(([code, path]) => `${code} ${path}`).sort(), got.map((d) => formatDiagnostic(d)).join('\n'));
    for (const [code, path, message] of expected) {
      if (message) assert.ok(got.some((d) => d.code === code && d.path === path && message.test(d.message)), `${code} at ${path} matching ${message}:\n${got.map((d) => formatDiagnostic(d)).join('\n')}`);
    }
  });
}

const policies = fileURLToPath(new URL('../../policies/', import.meta.url));
for (const file of readdirSync(policies).filter((f) => f.endsWith('.ts'))) {
  test(`built-in policies/${file} has no lint warnings on any arch`, async () => {
    const { spec } = await loadPolicyFile(policies + file);
    for (const arches of [['x86_64', 'x86', 'x32', 'aarch64', 'arm', 'riscv64', 'ppc64le', 'loongarch64'], ['s390x']]) {
      const n = normalize(spec, { arches });
      assert.equal(n.diagnostics.filter((d) => LINTS.has(d.code)).map((d) => formatDiagnostic(d)), []);
    }
  });
}

test.run();
