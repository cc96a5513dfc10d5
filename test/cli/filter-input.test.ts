/**
 * Every command that reads a compiled filter reads it through src/source: the same bad file
 * (missing, a directory, larger than any filter, not whole instructions) is the same message,
 * exit status 1, whichever command was given it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/seccompile/seccompile.js';
import { memoryIO } from '../../src/cli/io.js';
import { encode } from '../../src/bpf/encode.js';
import { stmt } from '../../src/bpf/isa.js';
import { SECCOMP_RET_ALLOW } from '../../src/seccomp/abi.js';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-filter-input-'));
const write = (name: string, bytes: Uint8Array) => {
  writeFileSync(join(dir, name), bytes);
  return join(dir, name);
};
const allow = write('allow.bpf', encode([stmt(0x06, SECCOMP_RET_ALLOW)], 'little'));
const policy = join(dir, 'p.ts');
writeFileSync(policy, `import { policy, allow } from 'seccompile';\nexport default policy({ default: allow(), arch: ['x86_64'], rules: [] });\n`);
mkdirSync(join(dir, 'dir.bpf'));
const cases = join(dir, 'cases.jsonl');
writeFileSync(cases, '');

const bad: Array<[string, string, RegExp]> = [
  ['missing', join(dir, 'missing.bpf'), /^cannot read \S+\/missing\.bpf: no such file$/],
  ['a directory', join(dir, 'dir.bpf'), /^cannot read \S+\/dir\.bpf: is a directory$/],
  ['too large', write('big.bpf', new Uint8Array(4097 * 8)), /^\S+\/big\.bpf: larger than 4096 instructions \(32768 bytes\), the most the kernel accepts in a filter; is it a filter \(raw struct sock_filter bytes\)\?$/],
  ['not whole instructions', write('partial.bpf', new Uint8Array(12)), /^\S+\/partial\.bpf: filter length 12 bytes is not a multiple of 8 /],
];
const commands: Array<[string, (file: string) => string[]]> = [
  ['validate', (f) => ['validate', f]],
  ['disasm', (f) => ['disasm', f]],
  ['wasm', (f) => ['wasm', f]],
  ['eval', (f) => ['eval', f]],
  ['diff', (f) => ['diff', allow, f]],
  ['verify --filter', (f) => ['verify', policy, '--filter', f]],
  ['test', (f) => ['test', f, cases]],
];

for (const [what, file, message] of bad) {
  test(`a filter file ${what}: one message, whichever command reads it`, async () => {
    for (const [name, argv] of commands) {
      const io = memoryIO('');
      assert.is(await main(argv(file), io), 1, `${name}: ${io.err()}`);
      const prefix = `seccompile ${name.split(' ')[0]}: `;
      const line = io.err().trimEnd();
      assert.ok(line.startsWith(prefix), `${name}: ${line}`);
      assert.match(line.slice(prefix.length), message, name);
    }
  });
}

test('stdin (-) is read up to the same limit, named stdin', async () => {
  for (const name of ['validate', 'disasm', 'wasm']) {
    const io = { ...memoryIO(), readStdin: async (max?: number) => Buffer.alloc(Math.min(max ?? 1e9, 1e6)) };
    assert.is(await main([name, '-'], io), 1);
    assert.match(io.err(), new RegExp(`^seccompile ${name}: stdin: larger than 4096 instructions`));
  }
});

test.run();
