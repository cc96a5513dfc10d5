/**
 * jail's policies through every ABI an x86_64 kernel runs, with one 64-bit probe
 * (test/support/abi-probe.c) making socket() through the syscall instruction, int $0x80 (socket
 * and socketcall: IA-32 emulation) and the x32 syscall bit: net-off denies AF_INET through each
 * (socketcall's SYS_SOCKET outright, since its arguments are behind a pointer), and a kill
 * through each is reported with the syscall's name and ABI. Without a filter the same calls
 * succeed, so the denials are the policy's and not a missing ABI's. The ABIs this kernel does not
 * run are skipped with a reason (fatal where SECCOMPILE_KERNEL_FEATURES declares them).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { hasNamespaces, hasSeccomp, isRoot, need } from '../support/capabilities.js';
import { hasGcc, cProbe } from '../support/c-probe.js';
import { abiFeatures, availableAbis, type Abi } from '../support/abi-probe.js';
import { jail, root, tempDir } from '../support/jail.js';

const EAFNOSUPPORT = 97;
const ok = need('root', isRoot(), 'jail through every ABI', 'namespaces need root') &&
  need('namespaces', hasNamespaces(), 'jail through every ABI', 'the kernel has no namespaces') &&
  need('seccomp', hasSeccomp(), 'jail through every ABI', 'the kernel has no seccomp') &&
  need('tool', process.arch === 'x64', 'jail through every ABI', `the probe is x86_64 code (host: ${process.arch})`) &&
  need('tool', hasGcc(), 'jail through every ABI', 'gcc is needed to build test/support/abi-probe.c');

if (ok) {
  const probe = cProbe('abi-probe');
  // The probe is built under the host's /tmp, which the jail does not share.
  const bind = ['--ro-bind', dirname(probe)];
  const { ia32, x32 } = abiFeatures();
  need('ia32', ia32, 'jail: socket() through int $0x80', 'this kernel has no IA-32 emulation (int $0x80 faults)');
  need('x32', x32, 'jail: socket() through x32', 'this kernel runs no x32 syscalls (CONFIG_X86_X32_ABI with syscall.x32=y)');
  const abis = availableAbis();
  const lines = (results: Record<Abi, [inet: string, unix: string]>) =>
    abis.map((a) => `${a} inet ${results[a][0]}\n${a} unix ${results[a][1]}\n`).join('');

  test(`without a filter, socket() works through ${abis.join(', ')}`, async () => {
    const r = await jail([...bind, '--no-seccomp', '--', probe, 'socket', ...abis]);
    assert.is(r.status, 0, r.stderr);
    const all: [string, string] = ['ok', 'ok'];
    assert.is(r.stdout, lines({ x86_64: all, i386: all, 'i386-socketcall': all, x32: all }));
  });

  test(`net-off denies AF_INET with EAFNOSUPPORT through ${abis.join(', ')}; AF_UNIX stays allowed but for socketcall`, async () => {
    const r = await jail([...bind, '--policy', 'net-off', '--', probe, 'socket', ...abis]);
    assert.is(r.status, 0, r.stderr);
    const denied = `e${EAFNOSUPPORT}`;
    assert.is(r.stdout, lines({ x86_64: [denied, 'ok'], i386: [denied, 'ok'], 'i386-socketcall': [denied, denied], x32: [denied, 'ok'] }));
  });

  // One policy for every ABI: the host's native arch and its compat arches (x86, x32).
  const dir = tempDir();
  const policy = join(dir, 'kill-sockets.bpf');
  const source = join(dir, 'kill-sockets.ts');
  writeFileSync(source, "import { policy, allow, kill } from 'seccompile';\n" +
    "export default policy({ default: allow(), rules: [kill().on('socket', 'socketcall')] });\n");
  execFileSync(join(root, 'bin', 'seccompile'), [source, '-o', policy]);
  const killed: Record<Abi, string> = {
    x86_64: 'socket (41)',
    i386: 'socket (359) on x86',
    'i386-socketcall': 'socketcall (102) on x86',
    x32: `socket (${0x40000000 + 41}) on x32`,
  };
  for (const abi of abis) {
    test(`a kill through ${abi} is reported with the syscall and its ABI: ${killed[abi]}`, async () => {
      const r = await jail([...bind, '--policy', policy, '--', probe, 'socket', abi]);
      assert.is(r.stdout, '');
      assert.is(r.status, 159, r.stderr);
      assert.is(r.stderr, `jail: killed by seccomp policy ${policy}: syscall ${killed[abi]}\n`);
    });
  }
  test.after(() => rmSync(dir, { recursive: true, force: true }));
}

test.run();
