/**
 * Unit tests for examples/my-policy.ts with seccompile/testing, under uvu. The assertions throw
 * plain Errors, so the same lines work under node:test, jest or vitest.
 *
 *   node --import tsx examples/my-policy.test.ts
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_UNIX, PROT_EXEC, PROT_READ, PROT_WRITE, errno } from 'seccompile';
import { PolicyAssertionError, expectPolicy, simulate } from 'seccompile/testing';
import myPolicy from './my-policy.js';

test('reads, writes and exits, on every arch it targets', () => {
  expectPolicy(myPolicy).allows('read').allows('write').allows('openat').allows('exit_group');
});

test('IPv4, IPv6 and unix sockets only', () => {
  expectPolicy(myPolicy)
    .allows('socket', [AF_INET])
    .allows('socket', [AF_INET6])
    .allows('socket', [AF_UNIX])
    .denies('socket', [AF_NETLINK])
    .with(errno('EAFNOSUPPORT'))
    .denies('socket', [AF_PACKET])
    .with('errno(EAFNOSUPPORT)');
});

test('W^X: never writable and executable at once', () => {
  expectPolicy(myPolicy)
    .allows('mmap', [0, 4096, PROT_READ | PROT_WRITE])
    .allows('mprotect', [0, 4096, PROT_READ | PROT_EXEC])
    .denies('mprotect', [0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC])
    .with(errno('EACCES'));
});

test('debugging another process kills', () => {
  expectPolicy(myPolicy).kills('ptrace').kills('process_vm_readv');
});

test('everything else: EPERM; on aarch64 too', () => {
  expectPolicy(myPolicy).denies('mount').with(errno('EPERM'));
  expectPolicy(myPolicy).on('aarch64').denies('unshare').with(errno('EPERM'));
});

test('simulate: one call, the decision in detail', () => {
  const r = simulate(myPolicy, { arch: 'x86_64', syscall: 'socket', args: [AF_NETLINK, 3, 0] });
  assert.is(r.action, 'errno');
  assert.is(r.errnoName, 'EAFNOSUPPORT');
  assert.ok(r.steps > 0);
  assert.is(simulate(myPolicy, { arch: 'aarch64', syscall: 'read' }).action, 'allow');
});

test('a failed expectation says what, where and why', () => {
  try {
    expectPolicy(myPolicy).allows('mount');
    assert.unreachable('mount is not allowed');
  } catch (e) {
    assert.instance(e, PolicyAssertionError);
    const err = e as PolicyAssertionError;
    assert.match(err.message, /^mount\(\) on x86_64: expected allow, got errno\(EPERM\)/);
    assert.is(err.expected, 'allow');
    assert.is(err.actual, 'errno(EPERM)');
  }
});

test.run();
