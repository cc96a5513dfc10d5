/**
 * Learn mode's policy writer and cases file, without a kernel: what it writes for a set of
 * observed calls (groups, whole groups, arches, argument values), that the policy it writes
 * compiles and allows exactly the observed calls, and that a cases file reads back into the
 * same calls so runs merge.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caseLine, readCases, CasesFileError } from '../../src/learn/cases.js';
import { mergeCalls, nameCalls, type LearnedCall } from '../../src/learn/learned.js';
import { learnedCommands, policyText } from '../../src/learn/write-policy.js';
import { ARCHES, groupSyscallsOn } from '../../src/syscalls/index.js';
import { load, simulate } from '../../src/testing/index.js';

const call = (arch: LearnedCall['arch'], syscall: string, arg?: [number, bigint]): LearnedCall => ({
  arch,
  syscall,
  ...(arg ? { arg: { index: arg[0], value: arg[1] } } : {}),
  count: 1,
});

const OBSERVED: readonly LearnedCall[] = [
  call('x86_64', 'read'),
  call('x86_64', 'write'),
  call('x86_64', 'exit_group'),
  call('x86_64', 'execve'),
  call('x86_64', 'socket', [0, 1n]),
  call('x86_64', 'socket', [0, 10n]),
  call('x86_64', 'ioctl', [1, 0x5401n]),
  call('x86_64', 'clone', [0, 0n]),
  call('x86', 'read'),
  call('x86', 'exit_group'),
  call('x86', 'socketcall', [0, 1n]),
];

const dir = mkdtempSync(join(tmpdir(), 'learn-test-'));
const write = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

test('the policy text: native arch first, groups as comments, forArch where a call was seen on some arches only', () => {
  const text = policyText(OBSERVED, { commands: ['sh -c true'], casesFile: 'p.cases.jsonl', preferredArches: ['x86_64', 'x86', 'x32'] });
  const expectations: [RegExp, string][] = [
    [/arch: \['x86_64', 'x86'\],/, 'arches, native first'],
    [/default: errno\('EPERM'\),/, 'default'],
    [/^ \* {3}\$ sh -c true$/m, 'command in the header'],
    [/\/\/ @basic-io: /, 'group comment'],
    [/allow\('read'\),/, 'read on both arches: no forArch'],
    [/allow\('write'\)\.forArch\('x86_64'\),/, 'write on x86_64 only'],
    [/^ {4}allow\('socket'\)\.when\(arg\(0\)\.int\.in\(\[\n {6}1, \/\/ address family: AF_UNIX\n {6}0xa, \/\/ address family: AF_INET6\n {4}\]\)\)\.forArch\('x86_64'\),$/m, 'the socket families seen, one in() with a line each'],
    [/allow\('ioctl'\)\.when\(arg\(1\)\.int\.eq\(0x5401\)\).*TCGETS/, 'ioctl request with its name'],
    [/allow\('clone'\)\.when\(arg\(0\)\.int\.maskedEq\(0x7e020080, 0\)\)/, 'clone without namespace flags'],
    [/allow\('socketcall'\)\.when\(arg\(0\)\.int\.eq\(1\)\)\.forArch\('x86'\), \/\/ sub-call: SYS_SOCKET/, 'socketcall on x86'],
  ];
  for (const [re, what] of expectations) assert.match(text, re, what);
  assert.not.match(text, /allow\('socket'\),/, 'socket is never allowed without its family');
  assert.match(text, /^ {4}allow\('@default'\),$/m, '@default always, whole');
  assert.not.match(text, /'exit_group'/, 'calls of @default are not listed again');
  assert.equal(learnedCommands(text), ['sh -c true']);
});

test('a group every call of which was seen becomes allow(@group)', () => {
  const timer = groupSyscallsOn(ARCHES.x86_64, '@timer').map((s) => call('x86_64', s));
  const text = policyText([...timer, call('x86_64', 'read')], { commands: [], casesFile: 'c' });
  assert.match(text, /allow\('@timer'\),/);
  const partial = policyText([...timer.slice(1), call('x86_64', 'read')], { commands: [], casesFile: 'c' });
  assert.not.match(partial, /@timer'\)/);
});

test('the written policy compiles and allows exactly what was observed', async () => {
  const file = write('observed.ts', policyText(OBSERVED, { commands: ['x'], casesFile: 'c' }));
  const filter = await load(file);
  for (const c of OBSERVED) {
    const args = c.arg ? Array.from({ length: c.arg.index + 1 }, (_, i) => (i === c.arg!.index ? c.arg!.value : 0n)) : [];
    assert.is(simulate(filter, { arch: c.arch, syscall: c.syscall, args }).action, 'allow', `${c.arch} ${c.syscall}`);
  }
  const refused: [LearnedCall['arch'], string, bigint[]][] = [
    ['x86_64', 'openat', []],
    ['x86_64', 'socket', [2n]],
    ['x86_64', 'ioctl', [0n, 0x5412n]],
    ['x86_64', 'clone', [0x10000000n]],
    ['x86', 'write', []],
  ];
  for (const [arch, syscall, args] of refused) {
    const s = simulate(filter, { arch, syscall, args });
    assert.equal([s.action, s.errno], ['errno', 1], `${arch} ${syscall}(${args})`);
  }
});

test('cases lines read back into the same calls; other lines are kept; runs merge', () => {
  const lines = OBSERVED.map(caseLine);
  assert.is(lines[4], '{"arch":"x86_64","syscall":"socket","args":[1],"expect":"allow"}');
  assert.is(lines[6], '{"arch":"x86_64","syscall":"ioctl","args":[0,21505],"expect":"allow"}');
  const mine = '{"syscall":"ptrace","expect":"errno(EPERM)"}';
  const back = readCases([...lines, mine].join('\n') + '\n', 'c.jsonl');
  assert.equal(back.other, [mine]);
  assert.equal(mergeCalls(back.calls).map((c) => caseLine(c)).sort(), [...lines].sort());
  const merged = mergeCalls(back.calls, [call('x86_64', 'read'), call('x86_64', 'openat')]);
  assert.is(merged.length, OBSERVED.length + 1);
  assert.throws(() => readCases('{"arch":\n', 'c.jsonl'), (e: Error) => e instanceof CasesFileError && /c\.jsonl:1: not JSON/.test(e.message));
});

test('the worker\'s numbers are named per arch (x32 by its bit); unknown numbers are set apart', () => {
  const X86_64 = 0xc000003e;
  const { calls, unknown } = nameCalls([
    { arch: X86_64, nr: 0, count: 3 },
    { arch: X86_64, nr: 0x40000000 + 1, count: 1 },
    { arch: X86_64, nr: 41, arg: 0, value: 2n, count: 1 },
    { arch: X86_64, nr: 99999, count: 1 },
  ]);
  assert.equal(calls.map((c) => [c.arch, c.syscall, c.arg?.value]), [['x86_64', 'read', undefined], ['x32', 'write', undefined], ['x86_64', 'socket', 2n]]);
  assert.is(unknown.length, 1);
});

test.run();
