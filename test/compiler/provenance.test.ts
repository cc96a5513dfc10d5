/**
 * compile()'s provenance side table: one entry per instruction, never empty; along the path a
 * call takes, the instructions come from the arch check, then the nr tree, then the rules of
 * that syscall, and the `ret` it reaches names the rule (or fallback) that decides it under the
 * IR's semantics; a `ret` no other source shares names exactly that rule.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compile, soleRule, type InsnSource } from '../../src/compiler/index.js';
import type { Program } from '../../src/bpf/validate.js';
import { ruleMatches } from '../../src/ir/semantics.js';
import type { PolicyIR } from '../../src/ir/types.js';
import { actionToRet, AUDIT_ARCH, SECCOMP_DATA } from '../../src/seccomp/abi.js';
import { writeSeccompData } from '../../src/seccomp/data.js';
import { FIXTURES, argVectors, policyIR, section, rule, cond, errno, ALLOW, KILL } from './fixtures.js';

/** The instruction indexes a call executes (the compiler's instruction subset only). */
function pathOf(program: Program, view: DataView, little: boolean): number[] {
  const path: number[] = [];
  let pc = 0;
  let a = 0;
  for (;;) {
    path.push(pc);
    const ins = program[pc]!;
    const cond = (taken: boolean) => (pc += 1 + (taken ? ins.jt : ins.jf));
    switch (ins.code) {
      case 0x20: a = view.getUint32(ins.k, little); pc++; break; // ld [k]
      case 0x54: a = (a & ins.k) >>> 0; pc++; break; // and #k
      case 0x05: pc += 1 + ins.k; break; // ja
      case 0x15: cond(a === ins.k); break;
      case 0x25: cond(a > ins.k); break;
      case 0x35: cond(a >= ins.k); break;
      case 0x45: cond((a & ins.k) !== 0); break;
      case 0x06: return path;
      default: throw new Error(`unexpected opcode 0x${ins.code.toString(16)} at ${pc}`);
    }
  }
}

/** Equality runs (one argument, many values, a repeated value) and one rule shared by two syscalls. */
const alternatives = (): PolicyIR => {
  const shared = rule(errno(60), cond(1, 'eq', 7));
  return policyIR(
    KILL,
    section('x86_64', {
      default: errno(1),
      rules: {
        ioctl: [rule(errno(40), cond(1, 'eq', 1, 32)), rule(errno(41), cond(1, 'eq', 2, 32)), rule(errno(42), cond(1, 'eq', 0x5401, 32)), rule(errno(43), cond(1, 'eq', 1, 32)), rule(ALLOW)],
        fcntl: [rule(errno(44), cond(1, 'eq', 1n << 40n)), rule(errno(45), cond(1, 'eq', (1n << 40n) + 3n)), rule(errno(46), cond(0, 'lt', 3))],
        read: [shared],
        write: [shared],
      },
    }),
  );
};

const CASES: Record<string, () => PolicyIR> = { ...FIXTURES, alternatives };

for (const [name, make] of Object.entries(CASES)) {
  test(`${name}: provenance along every path names the deciding rule`, () => {
    const ir = make();
    const r = compile(ir);
    assert.is(r.provenance.length, r.program.length);
    r.provenance.forEach((p, pc) => assert.ok(p.length > 0, `instruction ${pc} has no source`));
    // Which sources end in which `ret` value, to know when a ret must name one rule only.
    const retSources = new Map<number, Set<InsnSource>>();
    const addRet = (k: number, s: InsnSource) => retSources.set(k, (retSources.get(k) ?? new Set()).add(s));
    for (const s of ir.sections) {
      addRet(actionToRet(s.defaultAction), 'default');
      addRet(actionToRet(s.newer), 'newer');
      for (const e of s.syscalls) for (const rl of e.rules) addRet(actionToRet(rl.action), rl.origin.index);
    }
    addRet(actionToRet(ir.badArch), 'bad-arch');

    const view = new DataView(new ArrayBuffer(SECCOMP_DATA.size));
    const little = r.endian === 'little';
    let paths = 0;
    const follow = (arch: number, nr: number, args: readonly bigint[], decider: InsnSource, own: ReadonlySet<InsnSource>) => {
      writeSeccompData(view, { arch, nr, args, instructionPointer: 0n }, r.endian);
      const path = pathOf(r.program, view, little);
      paths++;
      const where = `arch 0x${arch.toString(16)} nr ${nr} args ${args.join(',')}`;
      const ret = path[path.length - 1]!;
      assert.ok(r.provenance[ret]!.includes(decider), `${where}: ret ${ret} has ${JSON.stringify(r.provenance[ret])}, not ${decider}`);
      if (retSources.get(r.program[ret]!.k)!.size === 1) assert.is(soleRule(r.provenance[ret]!) ?? r.provenance[ret]![0], decider, where);
      // arch check, then the nr tree, then this syscall's rules: the stage never goes back.
      const stages = path.slice(0, -1).map((pc) => {
        const p = r.provenance[pc]!;
        if (p.includes('arch-check')) return 0;
        if (p.includes('nr-dispatch')) return 1;
        if (p.length === 1 && p[0] === 'arg-dispatch') return 2; // an equality run's value search
        assert.ok(p.some((s) => own.has(s)), `${where}: instruction ${pc} ${JSON.stringify(p)} is none of this call's sources`);
        return 2;
      });
      assert.equal(stages, [...stages].sort(), `${where}: stages ${stages.join('')}`);
    };
    for (const s of ir.sections) {
      for (const e of s.syscalls) {
        const own = new Set<InsnSource>(e.rules.map((rl) => rl.origin.index));
        for (const args of argVectors(e.rules)) {
          const first = e.rules.find((rl) => ruleMatches(rl, args));
          follow(s.auditArch, e.nr, args, first ? first.origin.index : 'default', own);
        }
      }
    }
    follow(AUDIT_ARCH.AUDIT_ARCH_MIPSEL64, 0, [], 'bad-arch', new Set());
    assert.ok(paths > 10, `${paths} paths`);
  });
}

test('the provenance does not change the bytes: compiled twice, same program and same table', () => {
  const ir = alternatives();
  const a = compile(ir);
  const b = compile(ir);
  assert.equal(a.program, b.program);
  assert.equal(a.provenance, b.provenance);
});

test('an equality run: its value search is arg-dispatch, each value returns with its own rule', () => {
  const ir = alternatives();
  const ioctl = ir.sections[0]!.syscalls.find((e) => e.name === 'ioctl')!.rules.map((rl) => rl.origin.index);
  const r = compile(ir);
  const searched = r.provenance.filter((p) => p.length === 1 && p[0] === 'arg-dispatch');
  assert.ok(searched.length >= 3, JSON.stringify(r.provenance));
  // errno(41) and errno(42) are returned for one value each: their rets name that rule alone.
  for (const i of [1, 2]) assert.ok(r.provenance.some((p) => soleRule(p) === ioctl[i]), `rules[${ioctl[i]}]`);
  // The repeated value 1 (rules 0 and 3) is decided by the first: rule 3 ends nowhere.
  assert.not.ok(r.provenance.some((p) => p.includes(ioctl[3]!)), 'the shadowed repeat has instructions');
});

test('the table stays linear: a run of 3,000 values, 600 allow rules name each rule a few times', () => {
  const values = Array.from({ length: 3000 }, (_, i) => rule(errno(1 + (i % 3)), cond(1, 'eq', 0x5400 + 3 * i, 32)));
  const allows = Object.fromEntries(['read', 'write', 'close', 'openat', 'mmap'].map((n) => [n, Array.from({ length: 120 }, (_, i) => rule(ALLOW, cond(0, 'eq', i), cond(2, 'gt', i)))]));
  for (const ir of [policyIR(KILL, section('x86_64', { rules: { ioctl: values } })), policyIR(KILL, section('x86_64', { rules: allows }))]) {
    const r = compile(ir);
    const entries = r.provenance.reduce((n, p) => n + p.length, 0);
    // Each rule is named on its own tests and on its ret (shared by copies of that ret).
    const rules = ir.sections[0]!.syscalls.reduce((n, e) => n + e.rules.length, 0);
    const rets = r.program.filter((i) => i.code === 0x06).length;
    assert.ok(entries <= 8 * r.program.length + rets * rules, `${entries} entries for ${r.program.length} instructions`);
  }
});

test('shared and sole sources: a rule two syscalls share, the nr tree, the arch check', () => {
  const ir = alternatives();
  const shared = ir.sections[0]!.syscalls.find((e) => e.name === 'read')!.rules[0]!.origin.index;
  const r = compile(ir);
  // The shared rule's argument test is one instruction pair for read and write alike.
  const tests = r.provenance.map((p, pc) => [pc, soleRule(p)] as const).filter(([, rl]) => rl === shared);
  assert.ok(tests.length >= 2, JSON.stringify(r.provenance));
  assert.equal(r.provenance[0], ['arch-check']);
  assert.ok(r.provenance.some((p) => p.length === 1 && p[0] === 'nr-dispatch'));
});

test.run();
