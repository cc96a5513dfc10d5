/**
 * (b) The kernel's decision equals the interpreter's, over thousands of (program, input) pairs.
 *
 * Each random program is loaded behind a prelude that allows every syscall outside a small probe
 * set (getppid and numbers unassigned on x86_64) and resets A for the generated part:
 *
 *   ld [0]; jeq 110 -> G; jeq 400 -> G; ...; ret ALLOW; G: ld #0; <generated program>
 *
 * The generated part returns only distinct ERRNO values (RET K), so the errno a probe syscall
 * gets names the return instruction the kernel reached; a division by a zero X returns 0
 * (KILL_THREAD), seen as the child dying of SIGSYS. No probe syscall ever executes, and no other
 * syscall is decided by random code. instruction_pointer is never loaded (unknown in advance).
 * The interpreter runs the same combined program on the same seccomp_data.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { endianness } from 'node:os';
import { validate } from '../../src/bpf/validate.js';
import { stmt, jump, type Insn } from '../../src/bpf/isa.js';
import { AUDIT_ARCH, SECCOMP_RET_ALLOW, formatAction } from '../../src/seccomp/abi.js';
import { InterpreterEvaluator } from '../../src/seccomp/evaluate.js';
import type { SeccompData } from '../../src/seccomp/data.js';
import { need, hasSeccomp } from '../support/capabilities.js';
import { makeRng, randomValidProgram, randomSeccompData } from '../support/random-program.js';
import { buildProbe, hasGcc, Records } from './probe.js';

const SEED = Number(process.env.KERNEL_TEST_SEED ?? 20240502);
const PROGRAMS = 3000;
const CASES_PER_PROGRAM = 8;
/** getppid, and numbers no x86_64 kernel assigns (337..423 is a hole; 4000 is past the table). */
const PROBE_NRS = [110, 400, 423, 4000] as const;
const SIGSYS = 31;

function withPrelude(generated: readonly Insn[]): Insn[] {
  const m = PROBE_NRS.length;
  // Instruction 1 + i is the i-th jeq; G is at index m + 2.
  const jeqs = PROBE_NRS.map((nr, i) => jump(0x15, nr, m - i, 0));
  return [stmt(0x20, 0), ...jeqs, stmt(0x06, SECCOMP_RET_ALLOW), stmt(0x00, 0), ...generated];
}

/**
 * Shift by X: A = start shifted by args[0]'s low word, then a jeq per possible result returns
 * ERRNO(100 + bit), so the errno shows the count the kernel used (the interpreter takes it
 * modulo 32, as the eBPF ALU32 shift and x86's shl/shr do).
 */
function shiftProgram(code: 0x6c | 0x7c): Insn[] {
  const start = code === 0x6c ? 1 : 0x80000000;
  const body: Insn[] = [stmt(0x20, 16), stmt(0x07, 0), stmt(0x00, start), stmt(code, 0)];
  for (let bit = 0; bit < 32; bit++) body.push(jump(0x15, 2 ** bit, 0, 1), stmt(0x06, 0x00050000 + 100 + bit));
  body.push(stmt(0x06, 0x00050000 + 99));
  return body;
}
const shiftCounts = [...Array.from({ length: 64 }, (_, i) => BigInt(i)), 0xffffffffn, 0x1_0000_0021n, 255n, 0x80000000n];

test("the kernel's decisions equal the interpreter's", () => {
  if (!need('seccomp', hasSeccomp(), 'kernel interpreter comparison', 'the kernel has no seccomp')) return;
  if (!need('tool', hasGcc(), 'kernel interpreter comparison', 'gcc is needed to build the probe')) return;
  if (process.arch !== 'x64' || endianness() !== 'LE') {
    console.log('SKIP: kernel interpreter comparison: the probe set is chosen for x86_64');
    return;
  }
  const rng = makeRng(SEED);
  const runs: Array<{ program: Insn[]; cases: SeccompData[] }> = [];
  for (const code of [0x6c, 0x7c] as const) {
    const cases = shiftCounts.map((s) => ({ nr: 110, arch: AUDIT_ARCH.AUDIT_ARCH_X86_64, instructionPointer: 0n, args: [s] }));
    runs.push({ program: withPrelude(shiftProgram(code)), cases });
  }
  for (let i = 0; i < PROGRAMS; i++) {
    const generated = randomValidProgram(rng, {
      returns: 'errno',
      loadInstructionPointer: false,
      length: rng.chance(0.05) ? 300 + rng.int(400) : 8 + rng.int(50),
    });
    const program = withPrelude(generated);
    const cases = Array.from({ length: CASES_PER_PROGRAM }, () =>
      randomSeccompData(rng, { nr: rng.pick(PROBE_NRS), arch: AUDIT_ARCH.AUDIT_ARCH_X86_64 }),
    );
    runs.push({ program, cases });
  }
  const input = new Records().u32(runs.length);
  for (const { program, cases } of runs) {
    input.u32(program.length).u32(cases.length).program(program);
    for (const c of cases) {
      input.u64(BigInt(c.nr));
      for (let a = 0; a < 6; a++) input.u64(c.args[a] ?? 0n);
    }
  }

  const probe = buildProbe();
  let lines: string[];
  try {
    lines = probe.run('eval', input.bytes());
  } finally {
    probe.dispose();
  }
  assert.is(lines.length, runs.length);

  const mismatches: string[] = [];
  const seen = { errno: 0, capped: 0, killed: 0 };
  let compared = 0;
  let varied = 0;
  runs.forEach(({ program, cases }, i) => {
    const tokens = lines[i]!.split(' ');
    assert.is(tokens[0], 'ok', `program ${i}: ${lines[i]}`);
    if (new Set(tokens.slice(1)).size > 1) varied++;
    const evaluator = new InterpreterEvaluator(validate(program), 'little');
    cases.forEach((c, j) => {
      const kernel = tokens[1 + j]!;
      const ours = evaluator.evaluateOne({ ...c, instructionPointer: 0n });
      const a = ours.action;
      const expected =
        a.kind === 'errno' ? `e${a.errno}` : a.kind === 'kill_thread' || a.kind === 'kill_process' ? `k${SIGSYS}` : `(${formatAction(a)})`;
      compared++;
      if (kernel.startsWith('k')) seen.killed++;
      else if (kernel === 'e4095') seen.capped++;
      else seen.errno++;
      if (kernel !== expected) {
        mismatches.push(
          `program ${i} case ${j}: kernel ${kernel}, interpreter ${expected} (ret 0x${ours.ret.toString(16)}); ` +
            `nr ${c.nr} args [${c.args.map((x) => `0x${x.toString(16)}`).join(', ')}]; program ${JSON.stringify(program)}`,
        );
      }
    });
  });
  console.log(
    `kernel vs interpreter (seed ${SEED}): ${compared} (program, input) pairs over ${runs.length} programs compared: ` +
      `${seen.errno} errno, ${seen.capped} capped at MAX_ERRNO, ${seen.killed} killed (division by zero X); ` +
      `${varied} programs decided differently for different inputs; ${mismatches.length} mismatches`,
  );
  assert.equal(mismatches.slice(0, 3), [], `${mismatches.length} mismatches`);
  assert.ok(seen.killed > 0 && seen.capped > 0, 'the random programs reach kills and capped errnos');
  assert.ok(varied > runs.length / 10, `only ${varied} programs depend on their input`);
  // The shift programs saw counts >= 32 taken modulo 32 (not 0, not an error).
  assert.is(lines[0]!.split(' ')[1 + 33], 'e101', 'lsh by x = 33 shifts by 1');
  assert.is(lines[1]!.split(' ')[1 + 36], `e${100 + 31 - 4}`, 'rsh by x = 36 shifts by 4');
});

test.run();
