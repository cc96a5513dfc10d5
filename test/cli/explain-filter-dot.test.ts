/**
 * `seccompile explain --format dot|svg` without one SYSCALL: the whole filter's decision tree
 * (arch check, a cluster per arch with its nr dispatch, each syscall's rules, shared returns),
 * syscalls with the same decision drawn as one node; Graphviz's dot must parse it, including for
 * a Docker-style profile of ~350 syscalls. With several SYSCALLs, only those are drawn.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/seccompile/seccompile.js';
import { memoryIO } from '../../src/cli/io.js';
import { ROOT } from '../../scripts/build-policies.js';

const dir = mkdtempSync(join(tmpdir(), 'seccompile-filter-dot-'));
const policyFile = join(dir, 'p.ts');
writeFileSync(
  policyFile,
  `import { policy, allow, errno, kill, arg } from 'seccompile';
export default policy({
  default: errno('EPERM'),
  arch: ['x86_64', 'x86'],
  rules: [
    errno('EAFNOSUPPORT').on('socketcall').when(arg(0).int.eq(1)),
    allow('read', 'write', 'close'),
    errno('EACCES').on('socket').when(arg(0).int.eq(2)),
    allow('socket', 'exit_group'),
    kill().on('ptrace'),
  ],
});
`,
);
const profile = join(ROOT, 'test/fixtures/oci/podman-default.json');

async function explain(...argv: string[]) {
  const io = memoryIO();
  const code = await main(['explain', ...argv], io);
  return { code, out: io.out(), err: io.err() };
}

/** The clusters of a digraph: label -> the lines inside it. */
function clusters(dot: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of dot.matchAll(/ {2}subgraph cluster_\d+ \{\n {4}label="([^"]+)";\n((?: {4}.*\n)*) {2}\}/g)) out.set(m[1]!, m[2]!.split('\n'));
  return out;
}

/** Labels of the syscall-group nodes (boxes with rounded corners), names split out. */
function groupNames(lines: readonly string[]): string[][] {
  return lines
    .map((l) => /_g\d+ \[shape=box, style=rounded, label="([^"]*)"\]/.exec(l)?.[1])
    .filter((l): l is string => l !== undefined)
    .map((l) => l.split(/,\\n|, /));
}

const hasDot = spawnSync('dot', ['-V']).error === undefined;
function parses(dot: string): void {
  if (!hasDot) {
    console.log("  SKIP: dot's parse: Graphviz is not installed (apt-get install graphviz)");
    return;
  }
  const r = spawnSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /<svg/);
  assert.is(r.stderr, '');
}

test('a DSL policy: arch check, one cluster per arch, groups by decision, rules and locations on the edges', async () => {
  const r = await explain(policyFile, '--format', 'dot');
  assert.is(r.code, 0, r.err);
  parses(r.out);
  const c = clusters(r.out);
  assert.equal([...c.keys()], ['x86_64', 'x86']);
  assert.match(r.out, /arch -> a0_nr \[label="AUDIT_ARCH_X86_64"\];/);
  assert.match(r.out, /arch -> a1_nr \[label="AUDIT_ARCH_I386"\];/);
  assert.match(r.out, /arch -> bad_arch \[label="other arches"\];/);
  // read, write, close and exit_group are allowed alike (by two rules): one node.
  const x64 = groupNames(c.get('x86_64')!);
  assert.equal(x64.map((g) => g.join(',')).sort(), ['close,exit_group,read,write', 'ptrace', 'socket']);
  const x64text = c.get('x86_64')!.join('\n');
  assert.match(x64text, /-> a0_ret\d+ \[label="rules\[1\], rules\[3\]"\];/);
  assert.match(x64text, /_c0 \[shape=diamond, label="int arg0 == 2"\];/);
  assert.match(x64text, /_c0 -> a0_ret\d+ \[label="yes: rules\[2\]\\np\.ts:8"\];/);
  assert.match(x64text, /_c0 -> a0_ret\d+ \[label="no: rules\[3\]\\np\.ts:9"\];/);
  assert.match(x64text, /a0_nr -> a0_ret\d+ \[label="any other nr: default"\];/);
  // Returns are shared: one node per action in a cluster.
  const returns = c.get('x86_64')!.filter((l) => /_ret\d+ \[/.test(l)).map((l) => /label="([^"]+)"/.exec(l)![1]);
  assert.equal(returns.sort(), [...new Set(returns)].sort());
  // On x86 the multiplexer is drawn with its own rule (not socket's sub-call again).
  const x86 = groupNames(c.get('x86')!).map((g) => g.join(','));
  assert.ok(x86.includes('socketcall'), x86.join(' | '));
  assert.not.ok(x86.some((g) => g.includes('(socketcall')), x86.join(' | '));
});

test("a Docker-style profile (~350 syscalls): a handful of nodes per arch, each syscall in one, dot parses it", async () => {
  const r = await explain(profile, '--format', 'dot', '--arch', 'x86_64');
  assert.is(r.code, 0, r.err);
  parses(r.out);
  const c = clusters(r.out);
  assert.equal([...c.keys()], ['x86_64', 'x86', 'x32']);
  assert.match(r.out, /arch -> a0_nr \[label="AUDIT_ARCH_X86_64, nr < 0x40000000"\];/);
  assert.match(r.out, /arch -> a2_nr \[label="AUDIT_ARCH_X86_64, nr >= 0x40000000"\];/);
  for (const [arch, lines] of c) {
    const groups = groupNames(lines);
    const names = groups.flat();
    assert.ok(groups.length <= 10, `${arch}: ${groups.length} groups`);
    assert.ok(names.length > 300, `${arch}: ${names.length} syscalls`);
    assert.is(new Set(names).size, names.length, `${arch}: a syscall in two groups`);
  }
  const text = await explain(profile, '--arch', 'x86_64');
  const named = new Set([...text.out.matchAll(/^(\w+) on x86_64 \(nr \d+\):$/gm)].map((m) => m[1]!));
  assert.equal(new Set(groupNames(c.get('x86_64')!).flat()), named);
});

test('several SYSCALLs: only those, every way in (sub-calls too), the rest "not drawn"', async () => {
  const r = await explain(policyFile, 'socket', 'read', '--arch', 'x86', '--format', 'dot');
  assert.is(r.code, 0, r.err);
  parses(r.out);
  const x86 = groupNames(clusters(r.out).get('x86')!).map((g) => g.join(','));
  assert.equal(x86.sort(), ['read', 'socket', 'socket (socketcall 1)']);
  assert.match(r.out, /a0_rest \[shape=plaintext, label="other syscalls: not drawn"\];/);
  assert.not.match(r.out, /any other nr/);
});

test('--format svg without SYSCALL renders the whole filter', async () => {
  if (!hasDot) {
    console.log('  SKIP: --format svg: Graphviz dot is not installed (apt-get install graphviz)');
    return;
  }
  const r = await explain(policyFile, '--format', 'svg');
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /<svg[\s\S]*x86_64[\s\S]*AUDIT_ARCH_I386[\s\S]*<\/svg>/);
});

test.run();
