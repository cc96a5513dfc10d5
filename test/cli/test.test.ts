/**
 * `seccompile test` in-process: the pass/fail table, exit 1 on a failing or malformed case,
 * per-line arch, and usage errors.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/seccompile/seccompile.js';
import { memoryIO } from '../../src/cli/io.js';
import { parseCase } from '../../src/cli/seccompile/commands/test.js';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-test-cmd-'));
const write = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const policyFile = write(
  'p.ts',
  `import { policy, allow, errno, kill, arg } from 'seccompile';
export default policy({
  default: errno('EPERM'),
  arch: ['x86_64', 'aarch64'],
  rules: [allow('read'), kill().on('ptrace'), errno('EACCES').on('socket').when(arg(0).int.eq(2)), allow('socket')],
});
`,
);

async function run(...argv: string[]) {
  const io = memoryIO();
  const code = await main(['test', ...argv], io);
  return { code, out: io.out(), err: io.err() };
}

test('all pass: a table with one row per arch, exit 0', async () => {
  const cases = write('ok.jsonl', ['{"syscall":"read","expect":"allow"}', '', '// a comment', '{"syscall":"socket","args":[2],"expect":"errno(EACCES)","arch":"aarch64"}'].join('\n'));
  const r = await run(policyFile, cases);
  assert.is(r.code, 0, r.err + r.out);
  assert.is(
    r.out.replace(/ +$/gm, ''),
    [
      'line  result  arch     call       expected       actual',
      '1     pass    x86_64   read()     allow          allow',
      '1     pass    aarch64  read()     allow          allow',
      '4     pass    aarch64  socket(2)  errno(EACCES)  errno(EACCES)',
      '3 checks: 3 passed, 0 failed',
      '',
    ].join('\n'),
  );
});

test('a failure: FAIL row, exit 1', async () => {
  const cases = write('bad.jsonl', ['{"syscall":"ptrace","expect":"kill"}', '{"syscall":"socket","args":["0x2"],"expect":"allow","arch":"x86_64"}'].join('\n'));
  const r = await run(policyFile, cases);
  assert.is(r.code, 1);
  assert.match(r.out, /\n2 +FAIL +x86_64 +socket\(2\) +allow +errno\(EACCES\)\n/);
  assert.match(r.out, /3 checks: 2 passed, 1 failed\n$/);
});

test('malformed lines are reported with their line number, exit 1', async () => {
  const cases = write('mal.jsonl', ['{"syscall":"read","expect":"allow"}', '{"syscal":"read","expect":"allow"}', '{"syscall":"read","expect":"permit"}', '{"syscall":"raed","expect":"allow","arch":"x86_64"}'].join('\n'));
  const r = await run(policyFile, cases);
  assert.is(r.code, 1);
  assert.match(r.out, /mal\.jsonl:2: unknown key "syscal"/);
  assert.match(r.out, /mal\.jsonl:3: expect: unknown action 'permit'/);
  assert.match(r.out, /4 +FAIL +x86_64 +raed .*error: unknown syscall 'raed'/);
  assert.match(r.out, /2 malformed lines\n$/);
});

const PARSE: readonly [string, string | RegExp][] = [
  ['{"syscall":"read","expect":"deny"}', 'denies'],
  ['{"nr":0,"expect":"kill_thread"}', 'exactly'],
  ['{"syscall":"read","args":[1,2,3,4,5,6,7],"expect":"allow"}', /up to six/],
  ['{"syscall":"read","args":[1.5],"expect":"allow"}', /not an integer/],
  ['{"syscall":"read"}', /missing "expect"/],
  ['[1]', /a JSON object/],
  ['{"syscall":"read","expect":"errno(ENOPE)"}', /unknown errno 'ENOPE'/],
];
for (const [line, want] of PARSE) {
  test(`parseCase: ${line}`, () => {
    const c = parseCase(line, 1);
    if (typeof want === 'string') assert.is(typeof c === 'string' ? c : c.expect.kind, want);
    else assert.match(String(c), want);
  });
}

test('usage errors: exit 2; no cases: exit 1', async () => {
  assert.is((await run(policyFile)).code, 2);
  const empty = await run(policyFile, write('empty.jsonl', '\n'));
  assert.is(empty.code, 1);
  assert.match(empty.err, /no test cases/);
  assert.is((await run('--help')).code, 0);
  const arch = await run(policyFile, write('one.jsonl', '{"syscall":"read","expect":"allow"}\n'), '--arch', 'sparc');
  assert.is(arch.code, 2);
  assert.match(arch.err, /^seccompile test: --arch: unknown arch 'sparc'/);
});

test.run();
