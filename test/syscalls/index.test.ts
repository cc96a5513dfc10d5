import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ARCHES,
  ARCH_NAMES,
  UnknownSyscallError,
  archByName,
  archForAudit,
  archesWithSyscall,
  checkSyscallName,
  compatArches,
  hostArch,
  isKnownSyscall,
  multiplexedCalls,
  resolveSyscall,
  suggestSyscalls,
  syscallName,
  unknownArchMessage,
  unknownSyscallMessage,
  type ArchName,
} from '../../src/syscalls/index.js';
import { AUDIT_ARCH, X32_SYSCALL_BIT } from '../../src/seccomp/abi.js';

// Numbers from each arch's syscall table (arch/*/kernel/syscalls/*.tbl, include/uapi/asm-generic/unistd.h).
const KNOWN: Array<[ArchName, string, number | undefined]> = [
  ['x86_64', 'read', 0],
  ['x86_64', 'socket', 41],
  ['x86_64', 'clone3', 435],
  ['x86_64', 'socketcall', undefined],
  ['x86', 'socketcall', 102],
  ['x86', 'ipc', 117],
  ['x86', 'socket', 359],
  ['x86', 'semop', undefined], // only through ipc(SEMOP) on i386
  ['x32', 'read', X32_SYSCALL_BIT + 0],
  ['x32', 'execve', X32_SYSCALL_BIT + 520], // x32-specific compat entry
  ['x32', 'socket', X32_SYSCALL_BIT + 41],
  ['aarch64', 'openat', 56],
  ['aarch64', 'open', undefined],
  ['arm', 'set_tls', 0x0f0005],
  ['arm', 'socket', 281],
  ['riscv64', 'clone3', 435],
  ['s390x', 'socket', 359],
  ['s390x', 'socketcall', 102],
  ['ppc64le', 'socket', 326],
  ['ppc64le', 'ipc', 117],
  ['loongarch64', 'fstat', 80],
  ['loongarch64', 'getdents64', 61],
];
for (const [arch, name, nr] of KNOWN) {
  test(`${arch}: ${name} = ${nr}`, () => {
    assert.is(resolveSyscall(arch, name), nr);
    if (nr !== undefined) assert.is(syscallName(ARCHES[arch], nr), name);
  });
}

const DESCRIPTORS: Array<[ArchName, number, 'little' | 'big', 32 | 64, number, number, string[]]> = [
  ['x86_64', AUDIT_ARCH.AUDIT_ARCH_X86_64, 'little', 64, 0, 471, []],
  ['x86', AUDIT_ARCH.AUDIT_ARCH_I386, 'little', 32, 0, 471, ['socketcall', 'ipc']],
  ['x32', AUDIT_ARCH.AUDIT_ARCH_X86_64, 'little', 32, X32_SYSCALL_BIT, X32_SYSCALL_BIT + 547, []],
  ['aarch64', AUDIT_ARCH.AUDIT_ARCH_AARCH64, 'little', 64, 0, 471, []],
  ['arm', AUDIT_ARCH.AUDIT_ARCH_ARM, 'little', 32, 0, 0x0f0006, []],
  ['riscv64', AUDIT_ARCH.AUDIT_ARCH_RISCV64, 'little', 64, 0, 471, []],
  ['s390x', AUDIT_ARCH.AUDIT_ARCH_S390X, 'big', 64, 0, 471, ['socketcall', 'ipc']],
  ['ppc64le', AUDIT_ARCH.AUDIT_ARCH_PPC64LE, 'little', 64, 0, 471, ['socketcall', 'ipc']],
  ['loongarch64', AUDIT_ARCH.AUDIT_ARCH_LOONGARCH64, 'little', 64, 0, 471, []],
];
for (const [name, audit, endian, wordSize, nrBase, maxNr, mux] of DESCRIPTORS) {
  test(`${name} descriptor`, () => {
    const a = ARCHES[name];
    assert.is(a.name, name);
    assert.is(a.auditArch, audit);
    assert.is(a.endian, endian);
    assert.is(a.wordSize, wordSize);
    assert.is(a.nrBase, nrBase);
    assert.is(a.maxNr, maxNr);
    assert.equal(a.multiplexers.map((m) => m.syscall), mux);
    for (const m of a.multiplexers) assert.is(m.nr, a.syscalls.get(m.syscall));
    // names is the exact inverse of syscalls
    assert.is(a.names.size, a.syscalls.size);
    for (const [n, nr] of a.syscalls) assert.is(a.names.get(nr), n);
    for (const nr of a.syscalls.values()) assert.ok(nr >= nrBase && nr <= maxNr);
  });
}

// [arch, privateNrBase, knownNrs]: the regular calls, then the private range where there is one.
const SPANS: Array<[ArchName, number | undefined, [number, number][]]> = [
  ['arm', 0x0f0000, [[0, 472], [0x0f0000, 0x0f0007]]],
  ['x32', X32_SYSCALL_BIT + 512, [[X32_SYSCALL_BIT, X32_SYSCALL_BIT + 472], [X32_SYSCALL_BIT + 512, X32_SYSCALL_BIT + 548]]],
  ['x86_64', undefined, [[0, 472]]],
  ['x86', undefined, [[0, 472]]],
  ['aarch64', undefined, [[0, 472]]],
  ['s390x', undefined, [[0, 472]]],
  ['ppc64le', undefined, [[0, 472]]],
];
for (const [name, base, spans] of SPANS) {
  test(`${name}: private calls and known spans`, () => {
    const a = ARCHES[name];
    assert.is(a.privateNrBase, base);
    assert.equal(a.knownNrs.map((s) => [s.start, s.end]), spans);
    // every table number lies in a span, and each span starts or ends at a table number
    for (const nr of a.syscalls.values()) assert.ok(a.knownNrs.some((s) => nr >= s.start && nr < s.end), `${name} ${nr}`);
    for (const s of a.knownNrs) assert.ok(a.names.has(s.end - 1), `${name}: span ends at a syscall`);
    if (base !== undefined) assert.ok(a.names.has(base) || a.names.has(base + 1), `${name}: private calls start at the base`);
  });
}
// include/uapi/linux/net.h and include/uapi/linux/ipc.h
const SUBCALLS: Array<[string, string, number]> = [
  ['socketcall', 'socket', 1],
  ['socketcall', 'connect', 3],
  ['socketcall', 'socketpair', 8],
  ['socketcall', 'send', 9],
  ['socketcall', 'accept4', 18],
  ['socketcall', 'sendmmsg', 20],
  ['ipc', 'semop', 1],
  ['ipc', 'semtimedop', 4],
  ['ipc', 'msgsnd', 11],
  ['ipc', 'msgctl', 14],
  ['ipc', 'shmat', 21],
  ['ipc', 'shmctl', 24],
];
for (const [mux, name, call] of SUBCALLS) {
  test(`${mux}: ${name} is sub-call ${call} on x86, s390x, ppc64le`, () => {
    for (const arch of ['x86', 's390x', 'ppc64le'] as const) {
      const m = ARCHES[arch].multiplexers.find((x) => x.syscall === mux);
      assert.ok(m);
      assert.is(m.calls[name], call);
      assert.is(m.callMask, mux === 'ipc' ? 0xffff : 0xffffffff);
      assert.ok(isKnownSyscall(name), `${name} must be a known syscall name`);
    }
  });
}
test('multiplexedCalls: socket via socketcall on x86 only; unknown and prototype names none', () => {
  const [m, ...rest] = multiplexedCalls('x86', 'socket');
  assert.is(rest.length, 0);
  assert.is(m?.multiplexer.syscall, 'socketcall');
  assert.is(m?.multiplexer.nr, 102);
  assert.is(m?.call, 1);
  assert.is(multiplexedCalls(ARCHES.s390x, 'shmctl')[0]?.call, 24);
  assert.is(multiplexedCalls('x86', 'semop')[0]?.multiplexer.syscall, 'ipc');
  assert.equal(multiplexedCalls('x86_64', 'socket'), []);
  assert.equal(multiplexedCalls('x86', 'read'), []);
  assert.equal(multiplexedCalls('x86', 'toString'), []);
  assert.equal(multiplexedCalls('x86', 'constructor'), []);
  assert.is(ARCHES.x86.multiplexers[0]!.calls['toString'], undefined);
});

test('multiplexer call tables are complete', () => {
  const x86 = ARCHES.x86.multiplexers;
  assert.is(Object.keys(x86[0]!.calls).length, 20);
  assert.is(Object.keys(x86[1]!.calls).length, 12);
});

test('archForAudit: x86_64 vs x32 by the nr bit, foreign arch undefined', () => {
  const X86_64 = AUDIT_ARCH.AUDIT_ARCH_X86_64;
  assert.is(archForAudit(X86_64, 41)?.name, 'x86_64');
  assert.is(archForAudit(X86_64, X32_SYSCALL_BIT | 41)?.name, 'x32');
  assert.is(archForAudit(AUDIT_ARCH.AUDIT_ARCH_I386, 102)?.name, 'x86');
  assert.is(archForAudit(AUDIT_ARCH.AUDIT_ARCH_S390X, 1)?.name, 's390x');
  assert.is(archForAudit(AUDIT_ARCH.AUDIT_ARCH_MIPS, 1), undefined);
  assert.is(archForAudit(AUDIT_ARCH.AUDIT_ARCH_PPC64, 1), undefined); // big-endian ppc64 is not a target
});

test('archByName: names and aliases; unknown with suggestion', () => {
  for (const n of ARCH_NAMES) assert.is(archByName(n), ARCHES[n]);
  assert.is(archByName('arm64')?.name, 'aarch64');
  assert.is(archByName('amd64')?.name, 'x86_64');
  assert.is(archByName('i386')?.name, 'x86');
  assert.is(archByName('ppc64'), undefined);
  assert.is(archByName('toString'), undefined);
  assert.match(unknownArchMessage('aarch46'), /unknown arch 'aarch46' \(did you mean aarch64\?\)/);
});

test('hostArch and compatArches', () => {
  assert.is(hostArch('x64', 'LE').name, 'x86_64');
  assert.is(hostArch('arm64', 'LE').name, 'aarch64');
  assert.is(hostArch('ppc64', 'LE').name, 'ppc64le');
  assert.is(hostArch('s390x', 'BE').name, 's390x');
  assert.is(hostArch('loong64', 'LE').name, 'loongarch64');
  assert.throws(() => hostArch('ppc64', 'BE'), /unsupported host architecture ppc64/);
  assert.throws(() => hostArch('mips', 'BE'), /unsupported/);
  assert.ok(ARCH_NAMES.includes(hostArch().name));
  assert.equal(compatArches('x86_64').map((a) => a.name), ['x86_64', 'x86', 'x32']);
  assert.equal(compatArches(ARCHES.aarch64).map((a) => a.name), ['aarch64', 'arm']);
  assert.equal(compatArches('s390x').map((a) => a.name), ['s390x']);
});

test('known names and suggestions', () => {
  assert.ok(isKnownSyscall('socketcall'));
  assert.ok(isKnownSyscall('set_tls'));
  assert.not.ok(isKnownSyscall('conect'));
  assert.not.ok(isKnownSyscall('toString'));
  assert.equal(archesWithSyscall('ipc'), ['x86', 's390x', 'ppc64le']);
  assert.is(suggestSyscalls('conect')[0], 'connect');
  assert.is(suggestSyscalls('opnat')[0], 'openat');
  assert.is(suggestSyscalls('exceve')[0], 'execve');
  assert.equal(suggestSyscalls('xyzzyplugh'), []);
  assert.ok(suggestSyscalls('reed', 5).length <= 5);
  assert.equal(suggestSyscalls('reed', 0), []);
  assert.is(unknownSyscallMessage('conect'), "unknown syscall 'conect' (did you mean connect?)");
  assert.is(unknownSyscallMessage('xyzzyplugh'), "unknown syscall 'xyzzyplugh'");
  const e = (() => {
    try {
      checkSyscallName('conect');
    } catch (err) {
      return err;
    }
    return undefined;
  })();
  assert.instance(e, UnknownSyscallError);
  assert.is((e as UnknownSyscallError).code, 'unknown-syscall');
  assert.is(checkSyscallName('read'), 'read');
});

test.run();
