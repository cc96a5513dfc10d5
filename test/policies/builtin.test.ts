// The built-in policies (policies/*.ts) as the DSL's own semantics see them: they normalize
// without diagnostics for every arch, and decide what their header comments promise. (The
// compiled filters are compared with these semantics by the compiler's tests.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { normalize } from '../../src/ir/normalize.js';
import { decide } from '../../src/ir/semantics.js';
import { ARCHES, ARCH_NAMES, SOCKETCALL, resolveSyscall, type ArchName } from '../../src/syscalls/index.js';
import { AF_INET, AF_INET6, AF_UNIX, CLONE_NEWNET, CLONE_NEWUSER, CLONE_THREAD } from '../../src/syscalls/constants.js';
import type { Action } from '../../src/seccomp/abi.js';
import type { PolicyIR } from '../../src/ir/types.js';
import defaultPolicy from '../../policies/default.js';
import netOff from '../../policies/net-off.js';
import stdio from '../../policies/stdio.js';

const all = { default: defaultPolicy, 'net-off': netOff, stdio };
const EVERY = [...ARCH_NAMES];

for (const [name, spec] of Object.entries(all)) {
  test(`${name}: no diagnostics, on the host's arches and on every arch`, () => {
    for (const arches of [undefined, EVERY]) {
      const r = normalize(spec, arches ? { arches } : {});
      assert.equal(r.diagnostics, [], name);
      assert.ok(r.ir);
    }
  });
}

const irs = Object.fromEntries(Object.entries(all).map(([n, s]) => [n, normalize(s, { arches: EVERY }).ir!])) as Record<keyof typeof all, PolicyIR>;

/** The action for `name(args)` on `arch`, or undefined when the arch lacks the syscall. */
function call(ir: PolicyIR, arch: ArchName, name: string, ...args: bigint[]): Action | undefined {
  const nr = resolveSyscall(arch, name);
  return nr === undefined ? undefined : decide(ir, { arch: ARCHES[arch].auditArch, nr, args });
}
const ALLOW: Action = { kind: 'allow' };
const errno = (n: number): Action => ({ kind: 'errno', errno: n });
const EPERM = errno(1);
const ENOSYS = errno(38);
const EAFNOSUPPORT = errno(97);

test('net-off: only AF_UNIX sockets, on every arch, multiplexers included; io_uring_setup ENOSYS', () => {
  const ir = irs['net-off'];
  for (const arch of EVERY) {
    for (const sc of ['socket', 'socketpair']) {
      assert.equal(call(ir, arch, sc, BigInt(AF_UNIX), 1n), ALLOW, `${arch} ${sc} unix`);
      assert.equal(call(ir, arch, sc, (1n << 32n) | BigInt(AF_UNIX), 1n), ALLOW, `${arch} ${sc}: int view ignores the upper half`);
      for (const fam of [AF_INET, AF_INET6, 0, 0xffffffff]) assert.equal(call(ir, arch, sc, BigInt(fam)), EAFNOSUPPORT, `${arch} ${sc} ${fam}`);
    }
    assert.equal(call(ir, arch, 'io_uring_setup', 8n, 0n), ENOSYS);
    assert.equal(call(ir, arch, 'connect', 3n), ALLOW);
    assert.equal(call(ir, arch, 'openat', 0n), ALLOW);
    const mux = ARCHES[arch].multiplexers.find((m) => m.syscall === 'socketcall');
    if (!mux) continue;
    assert.equal(call(ir, arch, 'socketcall', BigInt(SOCKETCALL.SYS_SOCKET)), EAFNOSUPPORT, `${arch} socketcall(SYS_SOCKET)`);
    assert.equal(call(ir, arch, 'socketcall', BigInt(SOCKETCALL.SYS_SOCKETPAIR)), EAFNOSUPPORT);
    assert.equal(call(ir, arch, 'socketcall', (7n << 32n) | BigInt(SOCKETCALL.SYS_SOCKET)), EAFNOSUPPORT, 'upper half ignored, as by the kernel');
    assert.equal(call(ir, arch, 'socketcall', BigInt(SOCKETCALL.SYS_CONNECT)), ALLOW);
  }
  assert.ok(['x86', 's390x', 'ppc64le'].every((a) => ARCHES[a as ArchName].multiplexers.length > 0), 'multiplexing arches covered');
});

test('stdio: the five calls, everything else (and newer numbers) killed', () => {
  const ir = irs.stdio;
  for (const arch of EVERY) {
    for (const sc of ['read', 'write', 'exit', 'exit_group', 'rt_sigreturn']) assert.equal(call(ir, arch, sc), ALLOW, `${arch} ${sc}`);
    for (const sc of ['openat', 'mmap', 'execve']) assert.equal(call(ir, arch, sc)?.kind ?? 'kill_process', 'kill_process');
    const a = ARCHES[arch];
    assert.equal(decide(ir, { arch: a.auditArch, nr: a.maxNr + 1, args: [] }), { kind: 'kill_process' });
  }
});

test('default: ordinary calls allowed, dangerous ones denied, namespaces refused', () => {
  const ir = irs.default;
  const dangerous = ['ptrace', 'mount', 'kexec_load', 'bpf', 'init_module', 'finit_module', 'reboot', 'unshare', 'setns', 'perf_event_open', 'pivot_root'];
  for (const arch of EVERY) {
    for (const sc of ['read', 'write', 'openat', 'mmap', 'execve', 'futex', 'exit_group', 'rt_sigaction', 'socket', 'wait4', 'getrandom']) {
      const got = call(ir, arch, sc);
      if (got) assert.equal(got, ALLOW, `${arch} ${sc}`);
    }
    for (const sc of dangerous) {
      const got = call(ir, arch, sc);
      if (got) assert.equal(got, EPERM, `${arch} ${sc}`);
    }
    assert.equal(call(ir, arch, 'clone3', 0n, 88n), ENOSYS);
    const flagsArg = ARCHES[arch].cloneFlagsArg;
    const clone = (flags: number) => {
      const args = [0n, 0n];
      args[flagsArg] = BigInt(flags);
      return call(ir, arch, 'clone', ...args);
    };
    assert.equal(clone(CLONE_THREAD | 17), ALLOW, `${arch} clone thread`);
    assert.equal(clone(CLONE_NEWUSER | 17), EPERM, `${arch} clone newuser`);
    assert.equal(clone(CLONE_NEWNET), EPERM, `${arch} clone newnet`);
    const a = ARCHES[arch];
    assert.equal(decide(ir, { arch: a.auditArch, nr: a.maxNr + 1, args: [] }), ENOSYS, 'newer: ENOSYS');
    // arm and x32: also the numbers between the regular calls and the private ones
    assert.equal(decide(ir, { arch: a.auditArch, nr: a.knownNrs[0]!.end, args: [] }), ENOSYS, `${arch} newer above the regular calls`);
  }
});

test('default: allows every syscall sh, python3, node and git make (strace -f of each)', () => {
  // Collected with `strace -f -c` on x86_64 for: sh -c 'echo; ls; cat; wc', python3 -c with
  // json, subprocess, threading and tempfile, node -e with fs, child_process and a Worker,
  // git --version/status/log/diff.
  const traced = `access arch_prctl brk capget chdir clone clone3 close close_range dup2 epoll_create1 epoll_ctl
    epoll_pwait eventfd2 execve exit exit_group faccessat2 fadvise64 fcntl fstat futex getcwd getdents64 getegid
    geteuid getgid getpgrp getpid getppid getrandom gettid getuid ioctl lseek madvise mmap mprotect munmap newfstatat
    openat pipe2 pkey_alloc pread64 prlimit64 read readlink rename rseq rt_sigaction rt_sigprocmask rt_sigreturn
    sched_getaffinity set_robust_list set_tid_address shutdown socketpair statfs statx sysinfo uname unlink vfork
    wait4 write`.split(/\s+/);
  for (const sc of traced) {
    const got = call(irs.default, 'x86_64', sc, 0n, 0n);
    assert.ok(got, sc);
    if (sc === 'clone3') assert.equal(got, ENOSYS, 'clone3: ENOSYS, libc falls back to clone');
    else assert.equal(got, ALLOW, sc);
  }
});

test.run();
