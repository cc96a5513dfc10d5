/**
 * The compiled filter against the running kernel: fixture policies (and the built-in policies)
 * turned into all-ERRNO variants (every distinct action, default, newer and badArch included,
 * becomes its own errno), compiled, loaded in a forked child by test/kernel/filter-probe.c,
 * which makes each syscall with chosen arguments; the errno each call fails with must be the
 * one decide() (src/ir/semantics.ts) gives for the variant. Only ERRNO decisions exist in these
 * filters (asserted on the program before it is loaded), so no probed syscall ever executes.
 *
 * On x86_64, x32 numbers reach the filter as x86_64 syscalls with the x32 bit (the kernel runs
 * seccomp before it looks at the number), so the x32 sections are checked here too. The i386
 * sections are checked through `int $0x80` (the probe's int80 mode) where the kernel has IA-32
 * emulation, with 32-bit argument values as an i386 process passes them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../src/compiler/index.js';
import { decide } from '../../src/ir/semantics.js';
import { allErrnoVariant, isDistinctErrnoRet } from './errno-variant.js';
import type { Action } from '../../src/seccomp/abi.js';
import type { PolicyIR } from '../../src/ir/types.js';
import { ARCHES, hostArch } from '../../src/syscalls/index.js';
import { hasSeccomp, need } from '../support/capabilities.js';
import { abiFeatures } from '../support/abi-probe.js';
import { cProbe, hasGcc } from '../support/c-probe.js';
import { argVectors, boundaries, longJumps, multiArch, shadowed, sharedConditions, sweepNrs, x86_64Only } from '../compiler/fixtures.js';
import { loadPolicyFile } from '../../src/loader/policy-file.js';
import { normalize } from '../../src/ir/normalize.js';
import { compatArches } from '../../src/syscalls/index.js';
import { POLICIES_DIR, builtInPolicies } from '../../scripts/build-policies.js';

const EDGE_NRS = [0x3fffffff, 0x40000000, 0x7fffffff, 0x80000000, 0xffffffff];
/**
 * Unassigned x86_64 numbers this VM's kernel (6.18.44-fc) handles before seccomp runs: 335
 * raises SIGILL, 336 fails with ENXIO, with or without a filter. Never probed on x86_64.
 */
const HOST_RESERVED_NRS: ReadonlySet<number> = new Set([335, 336]);
const I386 = ARCHES.x86.auditArch;

type Case = readonly [nr: number, args: readonly bigint[]];

function casesFor(ir: PolicyIR, auditArch: number): Case[] {
  const out: Case[] = [];
  const zero = [0n, 0n, 0n, 0n, 0n, 0n];
  for (const s of ir.sections.filter((x) => x.auditArch === auditArch)) {
    const byNr = new Map(s.syscalls.map((e) => [e.nr, e]));
    for (const nr of sweepNrs([s])) {
      const entry = byNr.get(nr);
      for (const args of entry ? argVectors(entry.rules) : [zero]) out.push([nr, args]);
    }
  }
  // ABIs of this AUDIT_ARCH the policy does not target: their numbers must get badArch.
  for (const abi of [ARCHES.x86_64, ARCHES.x32, ARCHES.x86].filter((a) => a.auditArch === auditArch)) {
    if (ir.sections.some((s) => s.arch === abi.name)) continue;
    for (let nr = abi.nrBase; nr <= abi.maxNr + 16; nr++) out.push([nr, zero]);
  }
  for (const nr of EDGE_NRS) out.push([nr, zero]);
  if (auditArch !== I386) return out.filter(([nr]) => !HOST_RESERVED_NRS.has(nr));
  // An i386 process passes 32-bit registers: the kernel reports them zero-extended.
  const seen = new Set<string>();
  return out
    .map(([nr, args]): Case => [nr, args.map((a) => BigInt.asUintN(32, a))])
    .filter(([nr, args]) => {
      const key = `${nr} ${args.join(' ')}`;
      return !seen.has(key) && seen.add(key) !== undefined;
    });
}

function encodeInput(program: readonly { code: number; jt: number; jf: number; k: number }[], cases: readonly Case[]): Buffer {
  const buf = Buffer.alloc(4 + program.length * 8 + 4 + cases.length * 56);
  let at = buf.writeUInt32LE(program.length, 0);
  for (const i of program) {
    at = buf.writeUInt16LE(i.code, at);
    at = buf.writeUInt8(i.jt, at);
    at = buf.writeUInt8(i.jf, at);
    at = buf.writeUInt32LE(i.k, at);
  }
  at = buf.writeUInt32LE(cases.length, at);
  for (const [nr, args] of cases) {
    at = buf.writeBigUInt64LE(BigInt(nr >>> 0), at);
    for (let i = 0; i < 6; i++) at = buf.writeBigUInt64LE(args[i] ?? 0n, at);
  }
  return buf;
}

const host = (() => {
  try {
    return hostArch();
  } catch {
    return undefined;
  }
})();
const gcc = hasGcc();
const ready =
  need('seccomp', hasSeccomp(), 'kernel comparison of compiled filters', 'no seccomp in /proc/self/status') &&
  need('tool', gcc, 'kernel comparison of compiled filters', 'gcc not found (needed to build test/kernel/filter-probe.c)') &&
  need('tool', host?.name === 'x86_64', 'kernel comparison of compiled filters', `host arch ${host?.name ?? process.arch}: the probe cases are written for x86_64`);

if (ready) {
  const dir = mkdtempSync(join(tmpdir(), 'seccompile-kprobe-'));
  const probe = cProbe('filter-probe');
  const ia32 = need('ia32', abiFeatures().ia32, 'i386 kernel comparison', 'this kernel has no IA-32 emulation (int $0x80 faults); i386 sections are covered by the interpreter differential tests');

  const builtIns: Record<string, () => Promise<PolicyIR>> = {};
  for (const policy of builtInPolicies()) {
    builtIns[`built-in ${policy}`] = async () => {
      const { spec, file } = await loadPolicyFile(join(POLICIES_DIR, `${policy}.ts`));
      const n = normalize(spec, { arches: compatArches('x86_64').map((a) => a.name), sourceFile: file });
      if (!n.ir) throw new Error(`${policy}: ${n.diagnostics.map((d) => d.message).join('; ')}`);
      return n.ir;
    };
  }
  const fixtures: Record<string, () => PolicyIR | Promise<PolicyIR>> = {
    ...builtIns,
    boundaries,
    multiArch,
    x86_64Only,
    'foreign arches only (all badArch)': shadowed,
    'long jumps on x86_64': () => longJumps(150, 'x86_64'),
    'alternatives sharing other conditions': sharedConditions,
  };
  /** Through the syscall instruction (x86_64 and x32 numbers) and, with IA-32 emulation, int $0x80. */
  const entries = [
    { abi: 'x86_64 and x32', auditArch: ARCHES.x86_64.auditArch, args: [] },
    ...(ia32 ? [{ abi: 'i386, int $0x80', auditArch: I386, args: ['int80'] }] : []),
  ];
  for (const [name, make] of Object.entries(fixtures)) {
    for (const { abi, auditArch, args } of entries) {
      test(`kernel = semantics (${abi}): ${name}`, async () => {
        const ir = allErrnoVariant(await make());
        const { program } = compile(ir);
        for (const [pc, ins] of program.entries()) {
          if ((ins.code & 0x07) === 0x06) assert.ok(isDistinctErrnoRet(ins.k), `instruction ${pc} returns 0x${ins.k.toString(16)}, not an ERRNO`);
        }
        const cases = casesFor(ir, auditArch);
        const file = join(dir, 'input.bin');
        writeFileSync(file, encodeInput(program, cases));
        const out = execFileSync(probe, [file, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 }).split('\n').slice(0, -1);
        assert.is.not(out[0]?.startsWith('install'), true, `seccomp refused the filter: ${out[0]}`);
        assert.is(out.length, cases.length);
        const bad: string[] = [];
        cases.forEach(([nr, args], i) => {
          const want = decide(ir, { arch: auditArch, nr, args }) as Action & { kind: 'errno' };
          if (out[i] !== `e${want.errno}` && bad.length < 20) {
            bad.push(`nr 0x${(nr >>> 0).toString(16)} args [${args.map((a) => '0x' + a.toString(16)).join(',')}]: kernel ${out[i]}, policy e${want.errno}`);
          }
        });
        assert.is(bad.join('\n'), '', `${bad.length} mismatches of ${cases.length}`);
      });
    }
  }
  test.after(() => rmSync(dir, { recursive: true, force: true }));
}

test.run();
