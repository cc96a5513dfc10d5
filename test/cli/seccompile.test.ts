import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMANDS, EPIPE_STATUS, main } from '../../src/cli/seccompile/seccompile.js';
import { memoryIO } from '../../src/cli/io.js';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-main-'));
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

async function run(argv: string[]) {
  const io = memoryIO();
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
}

// The dispatcher: [argv, exit code, stdout pattern, stderr pattern]. Usage errors are one line.
const cases: Array<[string[], number, RegExp, RegExp]> = [
  [[], 2, /^$/, /^seccompile: missing a policy file or a command \(see seccompile --help\)\n$/],
  [['--help'], 0, /^Usage: seccompile POLICY .*\n(.*\n)*Commands:\n/, /^$/],
  [['-h'], 0, /^Usage:/, /^$/],
  [['help'], 0, /^Usage:/, /^$/],
  [['--version'], 0, new RegExp(`^seccompile ${VERSION.replace(/\./g, '\\.')}\n$`), /^$/],
  [['--frob'], 2, /^$/, /^seccompile: unknown command or option '--frob' \(see seccompile --help\)\n$/],
  [['frobnicate'], 2, /^$/, /^seccompile: 'frobnicate' is neither a command nor a policy file \(see seccompile --help\)\n$/],
  [['disasmm', 'x.bpf'], 2, /^$/, /^seccompile: 'disasmm' is neither a command \(did you mean disasm\?\) nor a policy file/],
  [['verfy'], 2, /^$/, /\(did you mean verify\?\)/],
  // a path or a name with an extension is a policy file to compile, even when it is missing
  [[join(dir, 'missing.ts')], 1, /^$/, /missing\.ts does not exist/],
  [['missing.ts'], 1, /^$/, /missing\.ts does not exist/],
];

for (const [argv, code, out, err] of cases) {
  test(`seccompile ${argv.join(' ') || '(no arguments)'} -> exit ${code}`, async () => {
    const r = await run(argv);
    assert.is(r.code, code, r.err);
    assert.match(r.out, out);
    assert.match(r.err, err);
    if (code === 2) assert.is(r.err.split('\n').length, 2, 'one line');
  });
}

test('an existing file without an extension is compiled, not taken for a command', async () => {
  const path = join(dir, 'frobnicate');
  writeFileSync(path, 'export const x = 1;\n');
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const r = await run(['frobnicate']);
    assert.is(r.code, 1);
    assert.match(r.err, /has no default export/);
  } finally {
    process.chdir(cwd);
  }
});

test('every command answers --help on stdout with exit 0', async () => {
  for (const name of Object.keys(COMMANDS)) {
    const r = await run([name, '--help']);
    assert.is(r.code, 0, name);
    assert.match(r.out, /^Usage: seccompile /, name);
    assert.is(r.err, '', name);
  }
});

test('bin/seccompile: a reader closing the pipe ends it quietly (no EPIPE stack)', async () => {
  const filter = join(dir, 'allow.bpf');
  writeFileSync(filter, Buffer.from([0x06, 0, 0, 0, 0, 0, 0xff, 0x7f])); // ret ALLOW
  const child = spawn('bin/seccompile', ['eval', filter], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  child.stdout.once('data', () => child.stdout.destroy());
  child.stdin.on('error', () => {}); // it may stop reading first
  child.stdin.end('{"arch":"x86_64","nr":0}\n'.repeat(200_000));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.is(err, '');
  assert.is(code, EPIPE_STATUS);
});

test.run();
