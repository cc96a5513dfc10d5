/**
 * Where Node disallows code generation from strings (`--disallow-code-generation-from-strings`,
 * through NODE_OPTIONS so that every Node process and worker jail starts gets it), the commands
 * that evaluate filters still work and give the same answers: the interpreter's loop is a module
 * of its own and only its per-program specialisation needs `new Function`. Runs the built CLIs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { hasNamespaces, hasSeccomp, isRoot, need } from '../support/capabilities.js';
import { jail, python, root } from '../support/jail.js';

const NO_CODEGEN = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --disallow-code-generation-from-strings`.trim() };
const seccompile = join(root, 'bin', 'seccompile');
const filter = join(root, 'bpf', 'net-off.x86_64.bpf');

/** Enough lines that `eval` would specialise the program (SPECIALISE_AFTER_RUNS_PER_INSN runs per instruction). */
const CASES = Array.from({ length: 4000 }, (_, i) => JSON.stringify({ arch: 'x86_64', syscall: ['socket', 'read', 'socketpair', 'getpid'][i % 4], args: [i % 12, 1, 0] })).join('\n') + '\n';

test('the flag is in force: node -e itself cannot run with it', () => {
  const r = spawnSync(process.execPath, ['-e', 'new Function("")'], { env: NO_CODEGEN, encoding: 'utf8' });
  assert.is.not(r.status, 0);
  assert.match(r.stderr, /EvalError/);
});

for (const engine of ['interpreter', 'jit', 'auto']) {
  test(`seccompile eval --engine ${engine}: the same results without code generation`, () => {
    const args = [seccompile, 'eval', '--engine', engine, filter];
    const plain = spawnSync(process.execPath, args, { input: CASES, encoding: 'utf8' });
    const strict = spawnSync(process.execPath, args, { input: CASES, encoding: 'utf8', env: NO_CODEGEN });
    assert.is(strict.status, 0, strict.stderr);
    assert.is(strict.stdout.split('\n').length, 4001);
    assert.ok(strict.stdout.includes('"errno":97'), 'some socket calls refused');
    assert.is(strict.stdout, plain.stdout);
  });
}

const canJail =
  need('root', isRoot(), 'jail without code generation', 'namespaces need root') &&
  need('namespaces', hasNamespaces(), 'jail without code generation', 'the kernel has no namespaces') &&
  need('seccomp', hasSeccomp(), 'jail without code generation', 'the kernel has no seccomp');

if (canJail) {
  test('jail --report-denials runs a command and reports its denials without code generation', async () => {
    const r = await jail(['--report-denials', '--policy', 'net-off', '--', python, '-c', 'import socket\ntry:\n  socket.socket()\nexcept OSError as e:\n  print(e.errno)'], { env: NO_CODEGEN });
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, '97\n');
    assert.match(r.stderr, /^jail: denied socket\(AF_INET\) -> EAFNOSUPPORT x1 /m);
  });
}

test.run();
