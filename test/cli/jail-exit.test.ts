/**
 * jail's exit status and signals: the command's own status, 128+N for a signal, 126/127 for
 * a command that cannot run, forwarded SIGINT/SIGTERM/SIGHUP/SIGQUIT, a PID 1 that ignores
 * them stopped after --kill-after, and --timeout.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasNamespaces, isRoot, need } from '../support/capabilities.js';
import { jail, tempDir } from '../support/jail.js';

const ok = need('root', isRoot(), 'jail exit status', 'namespaces need root') &&
  need('namespaces', hasNamespaces(), 'jail exit status', 'the kernel has no namespaces');
const dir = tempDir();

if (ok) {
  const cases: Array<[string, string[], number, RegExp | undefined]> = [
    ['own status', ['/bin/sh', '-c', 'exit 3'], 3, undefined],
    ['success', ['/bin/true'], 0, undefined],
    ['killed by SIGUSR1 (no pid namespace) -> 138', ['--no-pid', '--', '/bin/sh', '-c', 'kill -USR1 $$'], 138, undefined],
    ['path not found -> 127', ['/nonexistent/cmd'], 127, /^jail: \/nonexistent\/cmd: no such file or directory\n$/],
    ['name not found on PATH -> 127', ['no-such-command-xyz'], 127, /^jail: no-such-command-xyz: command not found/],
    ['a directory -> 126', ['/tmp'], 126, /^jail: \/tmp: permission denied/],
  ];
  for (const [name, argv, status, stderr] of cases) {
    test(`exit: ${name}`, async () => {
      const r = await jail(['--no-seccomp', ...argv]);
      assert.is(r.status, status, r.stderr);
      if (stderr) assert.match(r.stderr, stderr);
      else assert.is(r.stderr, '');
    });
  }

  test('exit: a file without execute permission -> 126; a missing interpreter -> 126', async () => {
    const plain = join(dir, 'plain.sh');
    writeFileSync(plain, '#!/bin/sh\necho hi\n');
    chmodSync(plain, 0o644);
    const a = await jail(['--no-seccomp', '--ro-bind', dir, '--', plain]);
    assert.is(a.status, 126, a.stderr);
    const noInterp = join(dir, 'nointerp.sh');
    writeFileSync(noInterp, '#!/nonexistent/interpreter\n');
    chmodSync(noInterp, 0o755);
    const b = await jail(['--no-seccomp', '--ro-bind', dir, '--', noInterp]);
    assert.is(b.status, 126, b.stderr);
    assert.match(b.stderr, /cannot execute: its interpreter or dynamic loader was not found/);
  });

  test("a command in the host's /tmp, which the jail does not share: 127 and how to bind it", async () => {
    const script = join(dir, 'here.sh');
    writeFileSync(script, '#!/bin/sh\necho here\n');
    chmodSync(script, 0o755);
    const r = await jail(['--no-seccomp', '--', script]);
    assert.is(r.status, 127);
    assert.is(r.stderr, `jail: ${script}: no such file or directory (it exists on the host, but the jail's /tmp and /run are its own: bind it in with --ro-bind ${script})\n`);
    const bound = await jail(['--no-seccomp', '--ro-bind', script, '--', script]);
    assert.is(bound.stdout, 'here\n', bound.stderr);
  });

  test('--cwd, --env, --clear-env, --rlimit reach the command', async () => {
    mkdirSync(join(dir, 'work'), { recursive: true });
    const r = await jail(
      ['--no-seccomp', '--ro-bind', dir, '--clear-env', '--env', 'A=1', '--env', 'B=x=y', '--cwd', join(dir, 'work'), '--rlimit', 'nofile=123:456', '--',
        '/bin/sh', '-c', 'pwd; env | grep -v "^PWD=" | sort; ulimit -n; ulimit -Hn'],
    );
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, `${join(dir, 'work')}\nA=1\nB=x=y\n123\n456\n`);
  });

  // bin/jail sets NODE_EXTRA_CA_CERTS aside for its own Node start (src/cli/jail/jail-env.ts).
  const caRows: Array<[string, string | undefined, string]> = [
    ['set', '/etc/some/bundle.pem', 'CA=/etc/some/bundle.pem S=unset\n'],
    ['set but empty', '', 'CA= S=unset\n'],
    ['unset', undefined, 'CA=unset S=unset\n'],
  ];
  for (const [what, value, expected] of caRows) {
    test(`NODE_EXTRA_CA_CERTS ${what}: the command sees it as the user set it`, async () => {
      const env: NodeJS.ProcessEnv = { ...process.env, SECCOMPILE_NODE_EXTRA_CA_CERTS: 'stale' };
      delete env.NODE_EXTRA_CA_CERTS;
      if (value !== undefined) env.NODE_EXTRA_CA_CERTS = value;
      const r = await jail(['--no-seccomp', '--', '/bin/sh', '-c', 'echo "CA=${NODE_EXTRA_CA_CERTS-unset} S=${SECCOMPILE_NODE_EXTRA_CA_CERTS-unset}"'], { env });
      assert.is(r.stdout, expected, r.stderr);
    });
  }

  test('a large environment reaches the command (the configuration is not passed in argv)', async () => {
    const big = 'x'.repeat(120_000);
    const r = await jail(['--no-seccomp', '--', '/bin/sh', '-c', 'echo ${#BIG} ${#BIG2}'], { env: { ...process.env, BIG: big, BIG2: big } });
    assert.is(r.stdout, '120000 120000\n', r.stderr);
  });

  test('--uid/--gid: the command runs as nobody', async () => {
    const r = await jail(['--no-seccomp', '--uid', 'nobody', '--gid', 'nogroup', '--', '/usr/bin/id']);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /^uid=65534\(nobody\) gid=65534\(nogroup\) groups=65534\(nogroup\)$/m);
  });

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const) {
    test(`signals: ${signal} to jail reaches the command`, async () => {
      const name = signal.slice(3);
      const script = `trap 'echo got ${name}; exit 7' ${name}; echo ready; while :; do sleep 0.05; done`;
      let sent = false;
      const r = await jail(['--no-seccomp', '--', '/bin/sh', '-c', script], {
        onStdout: (out, pid) => {
          if (!sent && out.includes('ready')) {
            sent = true;
            process.kill(pid, signal);
          }
        },
      });
      assert.is(r.stdout, `ready\ngot ${name}\n`);
      assert.is(r.status, 7, r.stderr);
    });
  }

  test('signals: a PID 1 that ignores SIGTERM is killed after --kill-after', async () => {
    let sent = false;
    const r = await jail(['--no-seccomp', '--kill-after', '0.3', '--', '/bin/sh', '-c', 'echo ready; exec sleep 30'], {
      onStdout: (out, pid) => {
        if (!sent && out.includes('ready')) {
          sent = true;
          setTimeout(() => process.kill(pid, 'SIGTERM'), 50);
        }
      },
    });
    assert.is(r.status, 137);
    assert.is(r.stderr, 'jail: the command ignored SIGTERM: SIGKILL after 0.3s\n');
  });

  test('a signal while jail sets up (a slow policy module): 128+N, one line, no init stage or cgroup left', async () => {
    // The policy module spins 3 s at load: jail is still preparing when SIGINT comes.
    const slow = join(dir, 'slow-policy.ts');
    writeFileSync(slow, [
      "import { allow, errno, policy } from 'seccompile';",
      'const until = Date.now() + 3000;',
      'while (Date.now() < until) { /* a slow policy module */ }',
      "export default policy({ default: allow(), rules: [errno('EPERM').on('mount')] });",
    ].join('\n'));
    let sent = false;
    const r = await jail(['--verbose', '--policy', slow, '--', '/bin/echo', 'ran'], {
      onStderr: (err, pid) => {
        if (!sent && /join cgroup: init stage/.test(err)) {
          sent = true;
          setTimeout(() => process.kill(pid, 'SIGINT'), 300);
        }
      },
    });
    assert.ok(sent, r.stderr);
    assert.is(r.status, 130, r.stderr);
    assert.is(r.stdout, '');
    assert.match(r.stderr, /^jail: interrupted by SIGINT before the command started$/m);
    const created = /^jail: create cgroup: v\d (\S+)/m.exec(r.stderr);
    const init = /^jail: join cgroup: init stage \(pid (\d+)\)/m.exec(r.stderr);
    assert.ok(created && init, r.stderr);
    assert.not.ok(existsSync(created[1]!), 'cgroup removed');
    const pid = Number(init[1]);
    assert.not.ok(existsSync(`/proc/${pid}`) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('jail-init'), 'init stage gone');
  });

  test('--timeout: SIGTERM, then SIGKILL after --kill-after, reported in one line', async () => {
    const a = await jail(['--no-seccomp', '--timeout', '0.3', '--kill-after', '0.2', '--', '/bin/sleep', '30']);
    assert.is(a.status, 137);
    assert.is(a.stderr, 'jail: killed by the timeout (0.3s): it ignored SIGTERM, SIGKILL after 0.2s\n');
    // A signal due before the command starts waits for its execve; 1 s leaves the shell time
    // to set its trap even on a busy machine.
    const b = await jail(['--no-seccomp', '--timeout', '1', '--', '/bin/sh', '-c', "trap 'exit 9' TERM; while :; do sleep 0.05; done"]);
    assert.is(b.status, 9);
    assert.is(b.stderr, 'jail: the timeout (1s) sent SIGTERM; the command then exited with status 9\n');
    // PID 1 ignores SIGTERM without a handler; a command that ends before --kill-after was not killed.
    const c = await jail(['--no-seccomp', '--timeout', '0.2', '--kill-after', '5', '--', '/bin/sleep', '1']);
    assert.is(c.status, 0);
    assert.is(c.stderr, 'jail: the timeout (0.2s) sent SIGTERM; the command then exited with status 0\n');
    // Without a pid namespace SIGTERM's default action kills the command.
    const d = await jail(['--no-pid', '--no-seccomp', '--timeout', '0.2', '--', '/bin/sleep', '30']);
    assert.is(d.status, 143);
    assert.is(d.stderr, 'jail: killed by the timeout (0.2s)\n');
    const quiet = await jail(['--quiet', '--no-seccomp', '--timeout', '0.2', '--kill-after', '0.1', '--', '/bin/sleep', '30']);
    assert.is(quiet.status, 137);
    assert.is(quiet.stderr, '');
  });
}

test.run();
