/**
 * (a) The kernel accepts exactly what the validator accepts: random valid programs, programs
 * with each kernel rule broken, random one-field mutations (which land on both sides of the
 * rules), and the dataflow quirks of check_load_and_stores, each loaded with seccomp() in a
 * fresh child by test/kernel/probe.c.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { endianness } from 'node:os';
import { check } from '../../src/bpf/validate.js';
import { stmt, jump, type Insn } from '../../src/bpf/isa.js';
import { need, hasSeccomp } from '../support/capabilities.js';
import { makeRng, randomValidProgram, randomInvalidProgram, mutateProgram, INVALID_RULES } from '../support/random-program.js';
import { buildProbe, hasGcc, Records } from './probe.js';

const SEED = Number(process.env.KERNEL_TEST_SEED ?? 20240501);
const RANDOM_PROGRAMS = 3000;
const EINVAL = 22;

// Hand-written edge cases of the kernel's rules (each also in test/bpf/validate.test.ts).
const RET0 = stmt(0x06, 0);
const edges: Insn[][] = [
  [RET0],
  [stmt(0x16, 0)],
  [],
  [stmt(0x0e, 0)], // ret x: not an opcode
  [stmt(0x20, 60), RET0],
  [stmt(0x20, 64), RET0],
  [stmt(0x20, 62), RET0],
  [stmt(0x64, 31), RET0],
  [stmt(0x64, 32), RET0],
  [stmt(0x34, 0), RET0],
  [stmt(0x94, 1), RET0], // mod
  [stmt(0x05, 0), RET0],
  [stmt(0x05, 1), RET0],
  [jump(0x15, 0, 1, 0), RET0, RET0],
  [jump(0x15, 0, 2, 0), RET0, RET0],
  [stmt(0x02, 0), RET0, stmt(0x60, 0), RET0], // read after ret, unreachable: accepted
  [jump(0x15, 0, 1, 0), RET0, stmt(0x60, 0), RET0], // fall-through set after ret still counts
  [stmt(0x05, 1), stmt(0x60, 5), RET0], // unreachable read after ja: accepted
  [stmt(0x05, 1), stmt(0x02, 0), stmt(0x60, 0), RET0],
  [jump(0x15, 1, 1, 0), stmt(0x02, 2), stmt(0x02, 2), stmt(0x60, 2), RET0],
  [Object.assign(stmt(0x20, 4), { jt: 3, jf: 9 }), RET0], // ignored fields
  [stmt(0x120, 0), RET0], // a code above 0xff
  Array.from({ length: 4096 }, (_, i) => (i === 4095 ? RET0 : stmt(0x00, i))),
  Array.from({ length: 4097 }, (_, i) => (i === 4096 ? RET0 : stmt(0x00, i))),
];

test('the kernel accepts exactly the programs the validator accepts', () => {
  if (!need('seccomp', hasSeccomp(), 'kernel validator comparison', 'the kernel has no seccomp')) return;
  if (!need('tool', hasGcc(), 'kernel validator comparison', 'gcc is needed to build the probe')) return;
  if (endianness() !== 'LE') {
    console.log('SKIP: kernel validator comparison: the probe protocol is written for little-endian hosts');
    return;
  }
  const rng = makeRng(SEED);
  const programs: Array<{ program: Insn[]; origin: string }> = edges.map((program, i) => ({ program, origin: `edge ${i}` }));
  for (let i = 0; i < RANDOM_PROGRAMS; i++) {
    const r = i % 5;
    if (r < 2) programs.push({ program: randomValidProgram(rng), origin: 'valid' });
    else if (r < 4) {
      const rule = INVALID_RULES[i % INVALID_RULES.length]!;
      programs.push({ program: randomInvalidProgram(rng, rule).program, origin: `invalid ${rule}` });
    } else programs.push({ program: mutateProgram(rng, randomValidProgram(rng)), origin: 'mutated' });
  }

  const input = new Records().u32(programs.length);
  for (const { program } of programs) input.u32(program.length).program(program);
  const probe = buildProbe();
  let lines: string[];
  try {
    lines = probe.run('accept', input.bytes());
  } finally {
    probe.dispose();
  }
  assert.is(lines.length, programs.length);

  const mismatches: string[] = [];
  let accepted = 0;
  programs.forEach(({ program, origin }, i) => {
    const status = Number(lines[i]);
    const errors = check(program);
    if (status === 0) accepted++;
    if ((status === 0) !== (errors.length === 0) || (status !== 0 && status !== EINVAL)) {
      mismatches.push(
        `#${i} (${origin}): kernel ${status === 0 ? 'accepted' : `refused (errno ${status})`}, validator ` +
          `${errors.length ? `refused: ${errors[0]!.message} (${errors[0]!.code})` : 'accepted'}; ` +
          `program ${JSON.stringify(program.length > 40 ? program.slice(0, 40) : program)}`,
      );
    }
  });
  console.log(
    `kernel vs validator (seed ${SEED}): ${programs.length} programs compared, ${accepted} accepted, ` +
      `${programs.length - accepted} refused, ${mismatches.length} mismatches`,
  );
  assert.equal(mismatches.slice(0, 5), [], `${mismatches.length} mismatches`);
});

test.run();
