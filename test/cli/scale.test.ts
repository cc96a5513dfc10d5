/**
 * Thousands of argument rules on one syscall, through the CLI in-process: a profile or policy that
 * fits compiles and verifies; one that does not gets the "more than 4096 instructions" error with
 * exit 1, also where the rules form a chain as deep as it is long (two conditions each, so no
 * search over one argument can take their place). Never a stack overflow (exit 70).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/seccompile/seccompile.js';
import { memoryIO } from '../../src/cli/io.js';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-scale-'));

async function run(argv: string[]) {
  const io = memoryIO('');
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
}

const profile = (name: string, syscalls: object[]): string => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_X86_64'], syscalls }));
  return path;
};
const alternate = (i: number): string => (i % 2 ? 'SCMP_ACT_ALLOW' : 'SCMP_ACT_LOG');
const eq = (index: number, value: number) => ({ index, value, op: 'SCMP_CMP_EQ' });
const sparse = (i: number): number => (i * 2654435761) % 2 ** 32;

const policyFile = (name: string, rule: string): string => {
  const path = join(dir, name);
  writeFileSync(
    path,
    `import { allow, arg, errno, policy } from 'seccompile';
export default policy({
  default: errno('EPERM'),
  arch: ['x86_64'],
  rules: Array.from({ length: 10_000 }, (_, i) => ${rule}),
});
`,
  );
  return path;
};

const TOO_LONG = /the compiled filter has \d+ instructions, more than the 4096 the kernel accepts \(BPF_MAXINSNS\); split the policy or merge rules/;

test('6,000 equality rules on one argument (alternating actions): compiled within the limit, and verified', async () => {
  const file = profile('consecutive.json', Array.from({ length: 6000 }, (_, i) => ({ names: ['read'], action: alternate(i), args: [eq(0, i)] })));
  const out = join(dir, 'consecutive.bpf');
  const c = await run([file, '-o', out, '--kernel', '6.1']);
  assert.is(c.code, 0, c.err);
  const size = readFileSync(out).length;
  assert.ok(size > 0 && size <= 4096 * 8, `${size} bytes`);
  const v = await run(['verify', file]);
  assert.is(v.code, 0, v.err + v.out);
  assert.match(v.out, /ok: the filter decides as the policy/);
  assert.match(v.out, /exhaustive: the regions cover every input/);
});

const tooLong: Array<[string, () => string]> = [
  ['OCI: 6,000 equality rules on sparse values', () => profile('sparse.json', Array.from({ length: 6000 }, (_, i) => ({ names: ['read'], action: alternate(i), args: [eq(0, sparse(i))] })))],
  ['OCI: 6,000 rules of two equalities (a chain 6,000 deep)', () => profile('chain.json', Array.from({ length: 6000 }, (_, i) => ({ names: ['read'], action: alternate(i), args: [eq(0, i), eq(1, i)] })))],
  ['DSL: 10,000 equality rules on sparse values', () => policyFile('sparse.ts', `allow('read').when(arg(0).eq((i * 2654435761) % 2 ** 32))`)],
  ['DSL: 10,000 rules of two equalities (a chain 10,000 deep)', () => policyFile('chain.ts', `(i % 2 ? allow('read') : errno('EACCES').on('read')).when(arg(0).eq(i), arg(1).eq(i))`)],
];

for (const [name, make] of tooLong) {
  test(`${name}: exit 1, more than 4096 instructions`, async () => {
    const file = make();
    const r = await run([file, '-o', join(dir, 'out.bpf'), ...(file.endsWith('.json') ? ['--kernel', '6.1'] : [])]);
    assert.is(r.code, 1, r.err);
    assert.match(r.err, TOO_LONG);
    assert.not.match(r.err, /RangeError|call stack/);
  });
}

test.run();
