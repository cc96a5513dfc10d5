// `seccompile syscalls` in-process: [argv, exit code, stdout pattern, stderr pattern].
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../../src/cli/seccompile/seccompile.js';
import { memoryIO } from '../../../src/cli/io.js';

async function cli(...argv: string[]) {
  const io = memoryIO();
  const code = await main(['syscalls', ...argv], io);
  return { code, out: io.out(), err: io.err() };
}

const CASES: Array<[string[], number, RegExp | string, RegExp | string]> = [
  [['--arch', 'x86_64', 'socket'], 0, '41\n', ''],
  [['-a', 'x86', 'socketcall'], 0, '102\n', ''],
  [['--arch', 'x32', 'read'], 0, '1073741824\n', ''],
  [['--arch', 'x32', '0x40000000'], 0, 'read\n', ''],
  [['--arch', 'x32', '0'], 0, 'read\n', ''], // table number without the x32 bit
  [['--arch', 'arm', '0xf0005'], 0, 'set_tls\n', ''],
  [['--arch', 'arm64', '56'], 0, 'openat\n', ''],
  [['--arch', 's390x', 'clone'], 0, '120\n', ''],
  [['--arch', 'x86_64', 'conect'], 1, '', "seccompile syscalls: unknown syscall 'conect' (did you mean connect?)\n"],
  [['--arch', 'x86_64', 'socketcall'], 1, '', /'socketcall' does not exist on x86_64 \(it does on x86, s390x, ppc64le\)/],
  [['--arch', 'aarch64', '4000'], 1, '', /no syscall number 4000 on aarch64/],
  [['--arch', 'mips', 'read'], 2, '', /unknown arch 'mips'/],
  [['read', 'write'], 2, '', /expected one NAME or NR, got 2/],
  [['--frob'], 2, '', /unknown or unexpected option: --frob/],
  [['--arch'], 2, '', /--arch/],
  [['--all-arches'], 2, '', /--all-arches needs a NAME or NR/],
  [['--all-arches', '--arch', 'x86', 'read'], 2, '', /exclude each other/],
  [['--all-arches', 'xyzzyplugh'], 1, '', /unknown syscall 'xyzzyplugh'\n/],
  [['99999999999'], 2, '', /out of range/],
  [['--help'], 0, /^Usage: seccompile syscalls/, ''],
  [['read'], 0, /^\d+\n$/, ''], // the host's arch
  [['--groups'], 0, /^@default +what every process needs.*\n(.*\n)*@network-io +sockets.*\(22 syscalls\)\n/, ''],
  [['--group', '@swap', '--arch', 'x86_64'], 0, 'swapoff 168\nswapon  167\n', ''],
  [['-g', 'network-io', '-a', 'x86'], 0, /\nsocketcall +102\n/, ''],
  [['--group', '@network-io', '--arch', 'x86_64'], 0, /^(?![\s\S]*socketcall)[\s\S]*\nsocket +41\n/, ''],
  [['--group', '@reboot', '--all-arches'], 0, 'kexec_file_load\nkexec_load\nreboot\n', ''],
  [['--group', '@netwrk-io'], 1, '', /unknown syscall group '@netwrk-io' \(did you mean @network-io\?\); list them with --groups/],
  [['--group', '@swap', 'read'], 2, '', /take no NAME or NR/],
  [['--group', '@swap', '--groups'], 2, '', /exclude each other/],
];
for (const [argv, code, out, err] of CASES) {
  test(`syscalls ${argv.join(' ')} -> ${code}`, async () => {
    const r = await cli(...argv);
    assert.is(r.code, code, r.err);
    if (typeof out === 'string') assert.is(r.out, out);
    else assert.match(r.out, out);
    if (typeof err === 'string') assert.is(r.err, err);
    else assert.match(r.err, err);
  });
}

test('--all-arches NAME: one line per arch, - where absent', async () => {
  const r = await cli('--all-arches', 'socketcall');
  assert.is(r.code, 0);
  const lines = r.out.trim().split('\n').map((l) => l.split(/\s+/));
  assert.equal(lines, [
    ['x86_64', '-'],
    ['x86', '102'],
    ['x32', '-'],
    ['aarch64', '-'],
    ['arm', '-'],
    ['riscv64', '-'],
    ['s390x', '102'],
    ['ppc64le', '102'],
    ['loongarch64', '-'],
  ]);
});

test('no argument lists the table sorted by number', async () => {
  const r = await cli('--arch', 'aarch64');
  assert.is(r.code, 0);
  const rows = r.out.trim().split('\n').map((l) => l.trim().split(/\s+/));
  assert.equal(rows[0], ['io_setup', '0']);
  const nrs = rows.map((x) => Number(x[1]));
  assert.equal(nrs, [...nrs].sort((a, b) => a - b));
  assert.ok(rows.some(([n, nr]) => n === 'openat' && nr === '56'));
  assert.is(new Set(nrs).size, nrs.length);
});

test('the command is listed in seccompile --help', async () => {
  const io = memoryIO();
  assert.is(await main(['--help'], io), 0);
  assert.match(io.out(), /syscalls\s+resolve syscall names and numbers/);
});

test.run();
