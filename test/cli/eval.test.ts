import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { main } from '../../src/cli/seccompile/seccompile.js';
import { memoryIO } from '../../src/cli/io.js';
import { makeEvalCommand, interpreterEvaluator, BATCH_SIZE } from '../../src/cli/seccompile/commands/eval.js';
import { encode } from '../../src/bpf/encode.js';
import { stmt, jump } from '../../src/bpf/isa.js';
import { AUDIT_ARCH, argWordOffset, type Endian } from '../../src/seccomp/abi.js';
import type { Evaluator } from '../../src/seccomp/evaluate.js';

// x86_64 only; socket(AF_INET=2) -> ERRNO(13); nr 1000 -> TRAP(5); nr 1001 -> TRACE(7);
// nr 1002 -> RET A = args[1] low word; args[2] high word 0xdeadbeef -> LOG; else ALLOW.
const program = (endian: Endian) => [
  stmt(0x20, 4), // 0
  jump(0x15, AUDIT_ARCH.AUDIT_ARCH_X86_64, 1, 0), // 1
  stmt(0x06, 0x80000000), // 2: kill_process
  stmt(0x20, 0), // 3
  jump(0x15, 41, 0, 3), // 4
  stmt(0x20, argWordOffset(0, 'low', endian)), // 5
  jump(0x15, 2, 0, 1), // 6
  stmt(0x06, 0x0005000d), // 7
  jump(0x15, 1000, 0, 1), // 8
  stmt(0x06, 0x00030005), // 9
  jump(0x15, 1001, 0, 1), // 10
  stmt(0x06, 0x7ff00007), // 11
  jump(0x15, 1002, 0, 2), // 12
  stmt(0x20, argWordOffset(1, 'low', endian)), // 13
  stmt(0x16, 0), // 14: ret a
  stmt(0x20, argWordOffset(2, 'high', endian)), // 15
  jump(0x15, 0xdeadbeef, 0, 1), // 16
  stmt(0x06, 0x7ffc0000), // 17
  stmt(0x06, 0x7fff0000), // 18
];

const dir = mkdtempSync(join(tmpdir(), 'seccompile-eval-'));
const little = join(dir, 'f.bpf');
const big = join(dir, 'f-be.bpf');
writeFileSync(little, encode(program('little'), 'little'));
writeFileSync(big, encode(program('big'), 'big'));

async function evalLines(input: string, ...argv: string[]) {
  const io = memoryIO(input);
  const code = await main(['eval', ...argv], io);
  return { code, lines: io.out().split('\n').slice(0, -1), err: io.err() };
}

// [case line, result line]: the public contract, exactly.
const contract: Array<[string, string]> = [
  ['{"arch":"x86_64","nr":41,"args":[2,1,0],"ip":0}', '{"action":"errno","errno":13,"ret":"0x0005000d","steps":7}'],
  ['{"arch":"x86_64","syscall":"socket","args":[2]}', '{"action":"errno","errno":13,"ret":"0x0005000d","steps":7}'],
  ['{"arch":"x86_64","nr":41,"args":["1"]}', '{"action":"allow","ret":"0x7fff0000","steps":12}'],
  ['{"arch":"x86","nr":41}', '{"action":"kill_process","ret":"0x80000000","steps":3}'],
  ['{"arch":3221225534,"nr":1000}', '{"action":"trap","data":5,"ret":"0x00030005","steps":6}'],
  ['{"arch":"0xc000003e","nr":"1001"}', '{"action":"trace","data":7,"ret":"0x7ff00007","steps":7}'],
  ['{"arch":"x86_64","nr":1002,"args":[0,"0x7fc00000"]}', '{"action":"user_notif","ret":"0x7fc00000","steps":9}'],
  ['{"arch":"x86_64","nr":1002,"args":[0,"0xffff00000000"]}', '{"action":"kill_thread","ret":"0x00000000","steps":9}'],
  ['{"arch":"x86_64","nr":1002,"args":[0,"0x5ffff"]}', '{"action":"errno","errno":4095,"ret":"0x0005ffff","steps":9}'],
  ['{"arch":"x86_64","nr":5,"args":[0,0,"0xdeadbeef00000000"]}', '{"action":"log","ret":"0x7ffc0000","steps":10}'],
  ['{"arch":"x86_64","nr":5,"args":[0,0,"16045690981097406464"]}', '{"action":"log","ret":"0x7ffc0000","steps":10}'],
  ['{"arch":"x86_64","nr":5,"args":[0,0,"18446744073709551615"]}', '{"action":"allow","ret":"0x7fff0000","steps":10}'],
  ['{"arch":"x86_64","nr":-1}', '{"action":"allow","ret":"0x7fff0000","steps":10}'],
  ['{"arch":"x32","nr":1073741865}', '{"action":"allow","ret":"0x7fff0000","steps":10}'],
];

for (const endian of ['little', 'big'] as const) {
  test(`contract cases (${endian}-endian filter, detected)`, async () => {
    const r = await evalLines(contract.map(([c]) => c).join('\n') + '\n', endian === 'little' ? little : big);
    assert.is(r.code, 0, r.err);
    assert.equal(r.lines, contract.map(([, out]) => out));
  });
}

const malformed: Array<[string, RegExp]> = [
  ['not json', /not JSON/],
  ['[1,2]', /JSON object/],
  ['{"arch":"x86_64"}', /missing "nr"/],
  ['{"nr":1}', /missing "arch"/],
  ['{"arch":"x86-64","nr":1}', /unknown arch 'x86-64'/],
  ['{"arch":"x86_64","nr":1,"arg":[1]}', /unknown key "arg"/],
  ['{"arch":"x86_64","syscall":"sockett"}', /unknown syscall 'sockett'.*socket/],
  ['{"arch":"x86_64","syscall":"socketcall"}', /does not exist on x86_64/],
  ['{"arch":"x86_64","nr":1,"syscall":"read"}', /not both/],
  ['{"arch":"x86_64","nr":4294967296}', /nr: .* out of range/],
  ['{"arch":"x86_64","nr":1.5}', /not an integer/],
  ['{"arch":"x86_64","nr":1,"args":[0,0,0,0,0,0,0]}', /at most 6/],
  ['{"arch":"x86_64","nr":1,"args":[-1]}', /args\[0\].*two's complement/],
  ['{"arch":"x86_64","nr":1,"args":["18446744073709551616"]}', /args\[0\].*out of range/],
  ['{"arch":"x86_64","nr":1,"args":[9007199254740993]}', /9007199254740992 is beyond 2\^53-1.*string/],
  ['{"arch":"x86_64","nr":-1e20}', /nr: -100000000000000000000 is beyond 2\^53-1/],
  ['{"arch":"x86_64","nr":1,"args":["12abc"]}', /not a decimal or 0x/],
  ['{"arch":"x86_64","nr":1,"ip":true}', /ip must be a number/],
];
test('a malformed line gets an error line in its place; the others are answered', async () => {
  const good = contract[0]!;
  const input = malformed.flatMap(([line]) => [line, good[0]]).join('\n') + '\n\n';
  const r = await evalLines(input, little);
  assert.is(r.code, 0);
  assert.is(r.lines.length, malformed.length * 2);
  malformed.forEach(([line, re], i) => {
    const out = JSON.parse(r.lines[2 * i]!) as { error?: string };
    assert.ok(out.error && re.test(out.error), `${line} -> ${r.lines[2 * i]}`);
    assert.ok(out.error!.startsWith(`line ${2 * i + 1}: `), out.error);
    assert.is(r.lines[2 * i + 1], good[1]);
  });
});

test('eval - is a usage error (stdin carries the cases)', async () => {
  const r = await evalLines('', '-');
  assert.is(r.code, 2);
  assert.match(r.err, /^seccompile eval: the cases come on stdin: give the filter as a file, not -/);
});

test('--endian forces the order; a wrong order is a clear error', async () => {
  const ok = await evalLines(contract[0]![0] + '\n', big, '--endian', 'big');
  assert.equal(ok.lines, [contract[0]![1]]);
  const bad = await evalLines('', little, '--endian', 'big');
  assert.is(bad.code, 1);
  assert.match(bad.err, /not a valid seccomp filter as big-endian/);
  const usage = await evalLines('', little, '--endian', 'middle');
  assert.is(usage.code, 2);
  assert.is(usage.err.trim().split('\n').length, 1);
});

test('usage errors and missing files', async () => {
  assert.is((await evalLines('')).code, 2);
  const missing = await evalLines('', join(dir, 'nope.bpf'));
  assert.is(missing.code, 1);
  assert.match(missing.err, /no such file/);
  const help = memoryIO();
  assert.is(await main(['eval', '--help'], help), 0);
  assert.match(help.out(), /Usage: seccompile eval/);
});

test('cases go through the Evaluator in batches, in order', async () => {
  const sizes: number[] = [];
  const command = makeEvalCommand((p, e) => {
    const inner = interpreterEvaluator(p, e);
    const spy: Evaluator = {
      evaluateBatch(inputs) {
        sizes.push(inputs.length);
        return inner.evaluateBatch(inputs);
      },
    };
    return spy;
  });
  const n = BATCH_SIZE + 10;
  const lines = Array.from({ length: n }, (_, i) => `{"arch":"x86_64","nr":${i % 2 ? 1000 : 1001}}`);
  const io = memoryIO(lines.join('\n'));
  assert.is(await command([little], io), 0);
  assert.equal(sizes, [BATCH_SIZE, 10]);
  const out = io.out().split('\n');
  assert.is(out[0], '{"action":"trace","data":7,"ret":"0x7ff00007","steps":7}');
  assert.is(out[n - 1], '{"action":"trap","data":5,"ret":"0x00030005","steps":6}');
});

test('bin/seccompile eval (the built CLI)', () => {
  const out = execFileSync('bin/seccompile', ['eval', little], { input: contract[0]![0] + '\nnope\n', encoding: 'utf8' });
  assert.is(out, `${contract[0]![1]}\n{"error":"line 2: not JSON: Unexpected token 'o', \\"nope\\" is not valid JSON"}\n`);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
