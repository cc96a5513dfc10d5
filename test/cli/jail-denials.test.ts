/**
 * jail's denial report for real: each distinct call the policy refused with an errno, how
 * often, and the rule that refused it, while the command sees exactly the errno it would see
 * without the report; the line for a command that exited 126 because an exec was refused;
 * policies from a .ts file, a .bpf file and an OCI profile; --verbose turns it on, --quiet off;
 * and a run without root.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasNamespaces, hasSeccomp, isRoot, need } from '../support/capabilities.js';
import { jail, python, root, tempDir } from '../support/jail.js';
import { probeUserNamespaces } from '../../src/launcher/userns.js';

const ok =
  need('root', isRoot(), 'jail denial report', 'namespaces need root') &&
  need('namespaces', hasNamespaces(), 'jail denial report', 'the kernel has no namespaces') &&
  need('seccomp', hasSeccomp(), 'jail denial report', 'the kernel has no seccomp');

const dir = tempDir();
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** Three AF_INET sockets and one AF_INET6, each printing the errno it got. */
const SOCKETS = `
import socket
for family in (socket.AF_INET, socket.AF_INET, socket.AF_INET, socket.AF_INET6):
    try:
        socket.socket(family)
        print("ok")
    except OSError as e:
        print(e.errno)
`;

/** The errno getppid() and getpgrp() return (raw syscalls through ctypes). */
const ERRNOS = `
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
for nr in (110, 111):
    r = libc.syscall(nr)
    print(r, ctypes.get_errno() if r < 0 else 0)
`;

if (ok) {
  test('net-off: each refused socket family once, with its count, errno and rule; the command sees the same errnos', async () => {
    const plain = await jail(['--policy', 'net-off', '--', python, '-c', SOCKETS]);
    const r = await jail(['--report-denials', '--policy', 'net-off', '--', python, '-c', SOCKETS]);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, plain.stdout);
    assert.is(r.stdout, '97\n97\n97\n97\n');
    assert.match(r.stderr, /^jail: denied socket\(AF_INET\) -> EAFNOSUPPORT x3 \[net-off: rules\[\d+\] \S*policies\/net-off\.ts:\d+:\d+\]$/m);
    assert.match(r.stderr, /^jail: denied socket\(AF_INET6\) -> EAFNOSUPPORT x1 \[net-off: rules\[\d+\] /m);
    assert.not.match(plain.stderr, /denied/);
  });

  test('a .ts policy: distinct errnos reach the command exactly, each named with its rule line', async () => {
    const policy = file(
      'errnos.ts',
      `import { allow, errno, policy } from 'seccompile';
export default policy({
  default: allow(),
  rules: [
    errno('EACCES').on('getppid'),
    errno('ENOTSUP').on('getpgrp'),
  ],
});
`,
    );
    const r = await jail(['--report-denials', '--policy', policy, '--', python, '-c', ERRNOS]);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, '-1 13\n-1 95\n');
    assert.match(r.stderr, /denied getppid\(\) -> EACCES x\d+ \[\S*errnos\.ts: rules\[0\] \S*errnos\.ts:5:\d+\]/);
    assert.match(r.stderr, /denied getpgrp\(\) -> ENOTSUP x\d+ \[\S*errnos\.ts: rules\[1\] \S*errnos\.ts:6:\d+\]/);
  });

  test('a command that exits 126 because an exec was refused: said so', async () => {
    const policy = file(
      'no-execveat.ts',
      `import { allow, errno, policy } from 'seccompile';
export default policy({ default: allow(), rules: [errno('EACCES').on('execveat')] });
`,
    );
    // fexecve() is execveat(fd, "", ..., AT_EMPTY_PATH); like a shell, the program exits 126 when it cannot exec.
    const program = 'import os, sys\nfd = os.open("/bin/true", os.O_RDONLY)\ntry:\n    os.execve(fd, ["true"], {})\nexcept OSError:\n    sys.exit(126)\n';
    const r = await jail(['--report-denials', '--policy', policy, '--', python, '-c', program]);
    assert.is(r.status, 126, r.stderr);
    assert.match(r.stderr, /denied execveat\(\) -> EACCES x1 \[/);
    assert.match(r.stderr, /the command exited 126 after the policy refused execveat -> EACCES/);
  });

  test('a .bpf filter is reported by its name; an OCI profile by its syscalls[] entry', async () => {
    const bpf = join(dir, 'net-off.bpf');
    execFileSync(join(root, 'bin', 'seccompile'), [join(root, 'policies', 'net-off.ts'), '-o', bpf]);
    const r = await jail(['--report-denials', '--policy', bpf, '--', python, '-c', 'import socket\ntry: socket.socket()\nexcept OSError: pass']);
    assert.match(r.stderr, /denied socket\(AF_INET\) -> EAFNOSUPPORT x1 \[\S*net-off\.bpf\]$/m);
    const profile = file(
      'profile.json',
      JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['getppid'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }] }),
    );
    const oci = await jail(['--report-denials', '--policy', profile, '--', python, '-c', ERRNOS]);
    assert.is(oci.stdout, '-1 1\n' + (await jail(['--no-seccomp', '--', python, '-c', ERRNOS])).stdout.split('\n')[1] + '\n');
    assert.match(oci.stderr, /denied getppid\(\) -> EPERM x\d+ \[\S*profile\.json: syscalls\[0\]\.names\[0\]\]/);
  });

  test('a flood of distinct denials: the 20 most frequent, then one line for the rest', async () => {
    const policy = file(
      'no-ioctl.ts',
      `import { allow, errno, policy } from 'seccompile';
export default policy({ default: allow(), rules: [errno('ENOTTY').on('ioctl')] });
`,
    );
    const program = 'import fcntl\nfor request in range(0x10000, 0x10000 + 3000):\n    try: fcntl.ioctl(0, request)\n    except OSError as e: assert e.errno == 25\nprint("done")';
    const r = await jail(['--report-denials', '--policy', policy, '--', python, '-c', program]);
    assert.is(r.stdout, 'done\n', r.stderr);
    assert.is(r.stderr.match(/^jail: denied ioctl\(0x[0-9a-f]+|^jail: denied ioctl\([A-Z]/gm)?.length, 20, r.stderr);
    // jail keeps 1,000 distinct denials and only counts the rest: bounded memory, whatever the command does.
    const more = /^jail: and (\d+)\+ more distinct denied calls \((\d+) in all\)$/m.exec(r.stderr);
    assert.is(Number(more?.[1]), 980, r.stderr);
    assert.ok(Number(more?.[2]) >= 2980, r.stderr);
  });

  const switches: [string, string[], boolean][] = [
    ['--verbose turns the report on', ['--verbose'], true],
    ['without --report-denials there is none', [], false],
    ['--quiet keeps it off even with --report-denials', ['--quiet', '--report-denials'], false],
    ['--no-report-denials keeps it off under --verbose', ['--verbose', '--no-report-denials'], false],
  ];
  for (const [what, flags, shown] of switches) {
    test(what, async () => {
      const r = await jail([...flags, '--policy', 'net-off', '--', python, '-c', SOCKETS]);
      assert.is(r.stdout, '97\n97\n97\n97\n');
      assert.is(/denied socket\(AF_INET\)/.test(r.stderr), shown, r.stderr);
    });
  }

  test('nothing denied: no report line', async () => {
    const r = await jail(['--report-denials', '--policy', 'net-off', '--', python, '-c', 'print("fine")']);
    assert.is(r.stdout, 'fine\n');
    assert.not.match(r.stderr, /denied/);
  });

  const userns = probeUserNamespaces();
  if (need('namespaces', userns.ok, 'jail denial report without root', userns.why ?? '')) {
    test('without root: the report comes from the rootless jail too', async () => {
      const r = await jail(['--report-denials', '--policy', 'net-off', '--', python, '-c', SOCKETS], { asUser: 'nobody' });
      assert.is(r.stdout, '97\n97\n97\n97\n', r.stderr);
      assert.match(r.stderr, /denied socket\(AF_INET\) -> EAFNOSUPPORT x3 \[net-off/);
    });
  }
}

test.run();
