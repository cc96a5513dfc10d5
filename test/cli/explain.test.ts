/**
 * `seccompile explain` in-process: the text per (arch, syscall) with the deciding rule and its
 * file:line, groups as operands, dot and svg output (one syscall's tree here; the whole filter's in
 * ./explain-filter-dot.test.ts), usage and policy errors.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/seccompile/seccompile.js';
import { memoryIO } from '../../src/cli/io.js';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-explain-'));
const write = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const policyFile = write(
  'p.ts',
  `import { policy, allow, errno, kill, arg } from 'seccompile';
export default policy({
  default: errno('EPERM'),
  arch: ['x86_64', 'x86'],
  rules: [
    errno('EAFNOSUPPORT').on('socketcall').when(arg(0).int.eq(1)),
    allow('@basic-io'),
    errno('EACCES').on('socket').when(arg(0).int.eq(2)),
    allow('socket'),
    kill().on('ptrace'),
  ],
});
`,
);
const warnFile = write('w.ts', `import { policy, allow, errno } from 'seccompile';\nexport default policy({ default: allow(), arch: 'x86_64', rules: [errno('EPERM').on('execve'), errno('ENOSYS').on('io_uring_setup')] });\n`);
const badFile = write('bad.ts', `import { policy, allow } from 'seccompile';\nexport default policy({ default: allow(), rules: [allow('conect' as 'read')] });\n`);

async function run(...argv: string[]) {
  const io = memoryIO();
  const code = await main(['explain', ...argv], io);
  return { code, out: io.out(), err: io.err() };
}

// [argv, exit code, stdout patterns, stderr pattern]
const CASES: Array<[string[], number, RegExp[], RegExp | '']> = [
  [[policyFile, 'socket', '--arch', 'x86_64'], 0, [
    /^socket on x86_64 \(nr 41\):\n/,
    /  if int arg0 == 2: errno\(EACCES\) +\[rules\[2\] \S*p\.ts:8:\d+\]\n/,
    /  always: allow +\[rules\[3\] \S*p\.ts:9:5\]\n/,
  ], ''],
  [[policyFile, 'socket', '--arch', 'x86'], 0, [
    /socket on x86 \(nr 359\):\n/,
    /socket on x86, through socketcall \(nr 102\) sub-call 1:\n  always: errno\(EAFNOSUPPORT\) +\[rules\[0\] \S*p\.ts:6:\d+\]\n/,
  ], ''],
  [[policyFile, 'write', 'mount', '--arch', 'x86_64'], 0, [
    /write on x86_64 \(nr 1\):\n  always: allow +\[rules\[1\] \S*p\.ts:7:5\]\n\nmount on x86_64 \(nr 165\):\n  always: errno\(EPERM\) +\[default\]\n/,
  ], ''],
  [[policyFile, '@swap', '--arch', 'x86_64'], 0, [/^swapoff on x86_64 \(nr 168\):\n(.*\n)+swapon on x86_64/], ''],
  [[policyFile, '--arch', 'x86_64'], 0, [
    /^close on x86_64/,
    /ptrace on x86_64 \(nr 101\):\n  always: kill_process/,
    /x86_64: every other syscall: errno\(EPERM\) \(default\)\n/,
    /x86_64: syscalls newer than the tables: errno\(ENOSYS\) \(newer\)\n/,
    /other arches: kill_process \(badArch\)\n$/,
  ], ''],
  [[policyFile, 'socket', '--arch', 'x86_64', '--format', 'dot'], 0, [/^digraph "socket" \{\n/, /\[label="no"\]/, /label="errno\(EACCES\)\\nrules\[2\]\\np\.ts:8"/], ''],
  [[warnFile, 'execve'], 0, [/execve on x86_64/], /warning: rules\[0\]: execve is restricted by rules\[0\] but execveat is always allowed.* \[exec-bypass\]/],
  [[policyFile, 'socket', 'read', '--format', 'dot'], 0, [/^digraph filter \{\n/, /label="socket \(socketcall 1\)"/], ''],
  [[policyFile, '--format', 'png'], 2, [], /--format must be one of text, dot, svg/],
  [[policyFile, 'conect'], 1, [], /unknown syscall 'conect' \(did you mean connect\?\)/],
  [[policyFile, '@netwrk-io'], 1, [], /unknown syscall group '@netwrk-io' \(did you mean @network-io\?\)/],
  [[policyFile, 'read', '--arch', 'sparc'], 2, [], /--arch: unknown arch 'sparc'/],
  [[badFile], 1, [], /unknown-syscall[\s\S]*not explained \(errors above\)/],
  [[], 2, [], /missing POLICY/],
  [['--help'], 0, [/^Usage: seccompile explain POLICY/], ''],
];

for (const [argv, code, outs, err] of CASES) {
  test(`explain ${argv.map((a) => a.replace(dir + '/', '')).join(' ')} -> ${code}`, async () => {
    const r = await run(...argv);
    assert.is(r.code, code, r.err);
    for (const o of outs) assert.match(r.out, o);
    if (err === '') assert.is(r.err, '');
    else assert.match(r.err, err);
  });
}

const hasDot = spawnSync('dot', ['-V']).error === undefined;
test('--format svg renders the tree with Graphviz', async () => {
  if (!hasDot) {
    console.log('  SKIP: --format svg: Graphviz dot is not installed (apt-get install graphviz)');
    return;
  }
  const r = await run(policyFile, 'socket', '--arch', 'x86_64', '--format', 'svg');
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /<svg[\s\S]*errno\(EACCES\)[\s\S]*<\/svg>/);
});

test.run();
