/**
 * Where `newer` applies (src/ir/types.ts, ArchSection.knownNrs), end to end: a DSL policy ->
 * normalize -> decide() and -> compile -> the interpreter, which must agree with each other and
 * with the expected action at the edges of the known spans. arm (ARM-private calls at 0x0f0000..
 * 0x0f0006) and x32 (its own calls at 512..547) have numbers newer than the tables both below and
 * above their private range; every other arch only above its last syscall. A deny-list policy
 * (default allow) must deny them all, and arches without a private range get no extra ranges.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { allow, errno, policy } from '../../src/dsl/index.js';
import type { PolicySpec } from '../../src/ir/spec.js';
import { normalize } from '../../src/ir/normalize.js';
import { decide } from '../../src/ir/semantics.js';
import type { PolicyIR } from '../../src/ir/types.js';
import { compile } from '../../src/compiler/index.js';
import { formatAction } from '../../src/seccomp/abi.js';
import { InterpreterEvaluator } from '../../src/seccomp/evaluate.js';
import { ARCH_NAMES, ARCHES, type ArchName } from '../../src/syscalls/index.js';

const X32 = 0x40000000;
/** The last regular syscall of an arch: the end of its first known span. */
const regularMax = (a: ArchName): number => ARCHES[a].knownNrs[0]!.end - 1;

function irOf(spec: PolicySpec, arches: readonly ArchName[]): PolicyIR {
  const n = normalize(spec, { arches });
  assert.ok(n.ir, n.diagnostics.map((d) => d.message).join('; '));
  return n.ir!;
}

/** The filter's and the semantics' action for (arch, nr), after checking they agree. */
function both(ir: PolicyIR, arch: ArchName, nr: number): string {
  const compiled = compile(ir);
  const ev = new InterpreterEvaluator(compiled.program, compiled.endian);
  const data = { arch: ARCHES[arch].auditArch, nr, args: [0n, 0n, 0n, 0n, 0n, 0n], instructionPointer: 0n };
  const want = formatAction(decide(ir, data));
  const got = formatAction(ev.evaluateOne(data).action);
  assert.is(got, want, `${arch} nr 0x${nr.toString(16)}: filter vs decide()`);
  return want;
}

// A deny-list: everything allowed, unknown numbers ENOSYS, two private calls denied.
const DENY_LIST = policy({ default: allow(), newer: errno('ENOSYS'), rules: [errno('EPERM').on('set_tls', 'rt_sigaction', 'getpid')] });
// An allow-list: EPERM by default, `newer` left to the DSL (ENOSYS).
const ALLOW_LIST = policy({ default: errno('EPERM'), rules: [allow('read', 'set_tls', 'rt_sigaction', 'getpid')] });

const ERRNO: Readonly<Record<string, number>> = { EPERM: 1, ENOSYS: 38 };
const E = (n: string): string => `ERRNO(${ERRNO[n]})`;
const ALLOWED = 'ALLOW';

// [what, nr, deny-list action, allow-list action]
type Row = readonly [string, number, string, string];

const ARM: Row[] = [
  ['last regular call', regularMax('arm'), ALLOWED, E('EPERM')],
  ['one above it', regularMax('arm') + 1, E('ENOSYS'), E('ENOSYS')],
  ['0x1000', 0x1000, E('ENOSYS'), E('ENOSYS')],
  ['just below __ARM_NR_BASE', 0xeffff, E('ENOSYS'), E('ENOSYS')],
  ['__ARM_NR_BASE (branch through zero, no syscall): the default', 0xf0000, ALLOWED, E('EPERM')],
  ['breakpoint', 0xf0001, ALLOWED, E('EPERM')],
  ['cacheflush', 0xf0002, ALLOWED, E('EPERM')],
  ['usr26', 0xf0003, ALLOWED, E('EPERM')],
  ['usr32', 0xf0004, ALLOWED, E('EPERM')],
  ['set_tls (a rule)', 0xf0005, E('EPERM'), ALLOWED],
  ['get_tls', 0xf0006, ALLOWED, E('EPERM')],
  ['above the private calls', 0xf0007, E('ENOSYS'), E('ENOSYS')],
  ['0xfffff', 0xfffff, E('ENOSYS'), E('ENOSYS')],
  ['0x100000', 0x100000, E('ENOSYS'), E('ENOSYS')],
  ['0x7fffffff', 0x7fffffff, E('ENOSYS'), E('ENOSYS')],
  ['-1', 0xffffffff, E('ENOSYS'), E('ENOSYS')],
];

const X32_ROWS: Row[] = [
  ['getpid (common numbers)', X32 + 39, E('EPERM'), ALLOWED],
  ['last common call', regularMax('x32'), ALLOWED, E('EPERM')],
  ['one above it', regularMax('x32') + 1, E('ENOSYS'), E('ENOSYS')],
  ['just below its own calls', X32 + 511, E('ENOSYS'), E('ENOSYS')],
  ['rt_sigaction (its own, 512)', X32 + 512, E('EPERM'), ALLOWED],
  ['pwritev2 (its own, 547)', X32 + 547, ALLOWED, E('EPERM')],
  ['above its own calls', X32 + 548, E('ENOSYS'), E('ENOSYS')],
  ['x32 + 0x1000', X32 + 0x1000, E('ENOSYS'), E('ENOSYS')],
  ['0x80000000', 0x80000000, E('ENOSYS'), E('ENOSYS')],
  ['-1', 0xffffffff, E('ENOSYS'), E('ENOSYS')],
];

const X86_64: Row[] = [
  ['getpid', 39, E('EPERM'), ALLOWED],
  ['last call', regularMax('x86_64'), ALLOWED, E('EPERM')],
  ['one above it', regularMax('x86_64') + 1, E('ENOSYS'), E('ENOSYS')],
  ['512 (x32-only numbers, no x86_64 call)', 512, E('ENOSYS'), E('ENOSYS')],
  ['below the x32 bit', X32 - 1, E('ENOSYS'), E('ENOSYS')],
];

const TABLES: [ArchName, readonly ArchName[], readonly Row[]][] = [
  ['arm', ['arm'], ARM],
  ['arm', ['aarch64', 'arm'], ARM],
  ['x32', ['x86_64', 'x86', 'x32'], X32_ROWS],
  ['x86_64', ['x86_64', 'x86', 'x32'], X86_64],
];

for (const [arch, arches, rows] of TABLES) {
  test(`newer on ${arch} (filter for ${arches.join('+')}): decide() = compiled filter = expected`, () => {
    const deny = irOf(DENY_LIST, arches);
    const allowList = irOf(ALLOW_LIST, arches);
    for (const [what, nr, d, a] of rows) {
      assert.is(both(deny, arch, nr), d, `deny-list, ${what}`);
      assert.is(both(allowList, arch, nr), a, `allow-list, ${what}`);
    }
  });
}

const PLAIN = ARCH_NAMES.filter((a) => ARCHES[a].privateNrBase === undefined);

test(`arches without a private range (${PLAIN.join(', ')}): newer only above the last call`, () => {
  for (const arch of PLAIN) {
    const deny = irOf(DENY_LIST, [arch]);
    const top = regularMax(arch);
    assert.equal(ARCHES[arch].knownNrs, [{ start: ARCHES[arch].nrBase, end: top + 1 }], arch);
    assert.is(ARCHES[arch].maxNr, top, arch);
    assert.is(both(deny, arch, top), ALLOWED, `${arch} last call`);
    for (const nr of [top + 1, 0x1000, 0xeffff, 0xf0000, 0xf0005, 0x100000, 0xffffffff]) {
      if (arch === 'x86_64' && nr >= X32) continue; // x32 numbers: badArch here
      assert.is(both(deny, arch, nr), E('ENOSYS'), `${arch} nr 0x${nr.toString(16)}`);
    }
  }
});

test('filters stay small: only arm and x32 get the two extra ranges around their private calls', () => {
  const bare = policy({ default: allow(), newer: errno('ENOSYS'), rules: [] });
  for (const arch of ARCH_NAMES) {
    const arches: ArchName[] = arch === 'x32' ? ['x86_64', 'x32'] : [arch];
    const r = compile(irOf(bare, arches));
    // known -> allow, newer -> ENOSYS; with a private range: known, newer, private, newer.
    assert.is(r.stats.ranges[arch], ARCHES[arch].privateNrBase === undefined ? 2 : 4, arch);
  }
});

test.run();
