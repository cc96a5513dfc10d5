/**
 * Differential test: the WebAssembly JIT against the interpreter on random valid programs (every
 * seccomp opcode, scratch memory, X, divisions by an X that may be zero, long jumps) and on
 * random decision trees shaped like compiled filters (where the JIT adds jump tables), with
 * random seccomp_data, in both byte orders, with jump tables (the default) and without. Every
 * (program, input) pair must agree on the return value of both batch functions (with and without
 * step counting) and on the step count, and wabt must accept every binary the JIT runs.
 * JIT_TEST_SEED=n replays another sequence.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Interpreter } from '../../src/bpf/interpreter.js';
import { validate, type Program } from '../../src/bpf/validate.js';
import { disassemble } from '../../src/bpf/disasm.js';
import { insn, type Insn } from '../../src/bpf/isa.js';
import type { ByteOrder } from '../../src/bpf/encode.js';
import { writeSeccompData } from '../../src/seccomp/data.js';
import { compileWasm } from '../../src/wasm/jit.js';
import { findSwitches } from '../../src/wasm/switch.js';
import { wabtValidate } from '../../src/wasm/wabt.js';
import { makeRng, randomSeccompData, randomValidProgram, type Rng } from '../support/random-program.js';

const SEED = Number(process.env.JIT_TEST_SEED ?? 20240601);
const INPUTS = 256;

/**
 * A random decision tree over A = nr (as compilers emit for syscall dispatch): comparisons with
 * small constants, `ja` trampolines, leaves that return or test an argument first.
 */
function randomTree(rng: Rng, depth: number): Insn[] {
  if (depth === 0 || rng.chance(0.15)) {
    const ret = () => insn(0x06, rng.chance(0.5) ? 0x7fff0000 : (0x00050000 | rng.int(4096)) >>> 0);
    if (rng.chance(0.7)) return [ret()];
    return [insn(0x20, 16), insn(0x15, rng.int(4), 0, 1), ret(), ret()]; // ld args[0] low; jeq #k
  }
  const op = rng.pick([0x15, 0x15, 0x25, 0x35, 0x45]);
  const k = op === 0x45 ? 1 << rng.int(10) : rng.chance(0.05) ? rng.u32() : rng.int(600);
  const left = randomTree(rng, depth - 1);
  const right = randomTree(rng, depth - 1);
  if (left.length > 254 || rng.chance(0.2)) return [insn(op, k, 1, 0), insn(0x05, left.length), ...left, ...right];
  return [insn(op, k, 0, left.length), ...left, ...right];
}

function treeProgram(rng: Rng): Insn[] {
  for (;;) {
    const body = [insn(0x20, 0), ...randomTree(rng, 3 + rng.int(6))];
    if (body.length <= 4096) return body;
  }
}

interface Counts {
  compared: number;
  /** Jump tables in the programs compiled with them, and how many programs those were. */
  tables: number;
  withTables: number;
}

async function compare(program: Program, endian: ByteOrder, jumpTables: boolean, rng: Rng, what: string, counts: Counts): Promise<void> {
  const records = new Uint8Array(INPUTS * 64);
  const view = new DataView(records.buffer);
  for (let i = 0; i < INPUTS; i++) {
    writeSeccompData(view, randomSeccompData(rng, rng.chance(0.7) ? { nr: rng.int(700) } : {}), endian, i * 64);
  }
  const f = await compileWasm(program, { endian, jumpTables });
  await wabtValidate(f.binary);
  const { rets, steps } = f.evaluateBatch(records, INPUTS, { steps: true });
  const fast = f.evaluateBatch(records, INPUTS).rets;
  const interpreter = new Interpreter(program);
  for (let i = 0; i < INPUTS; i++) {
    const ret = interpreter.run(new DataView(records.buffer, i * 64, 64), endian === 'little');
    if (ret !== rets[i] || ret !== fast[i] || interpreter.steps !== steps![i]) {
      assert.unreachable(
        `${what} (${endian}-endian${jumpTables ? '' : ', no jump tables'}), input ${i}: interpreter ret ` +
          `0x${ret.toString(16)} in ${interpreter.steps} steps; JIT ret 0x${rets[i]!.toString(16)} in ${steps![i]} ` +
          `steps, without steps 0x${fast[i]!.toString(16)}\ninput: ` +
          `${Buffer.from(records.subarray(i * 64, i * 64 + 64)).toString('hex')}\n${disassemble(program)}`,
      );
    }
    counts.compared++;
  }
  if (!jumpTables) return;
  counts.tables += findSwitches(program).length;
  counts.withTables++;
}

const options = (rng: Rng): [ByteOrder, boolean] => [rng.chance(0.5) ? 'little' : 'big', rng.chance(0.8)];

test(`JIT = interpreter on 400 random programs x ${INPUTS} inputs (seed ${SEED})`, async () => {
  const rng = makeRng(SEED);
  const counts = { compared: 0, tables: 0, withTables: 0 };
  for (let p = 0; p < 400; p++) {
    const program = validate(randomValidProgram(rng, p % 50 === 0 ? { length: 1000 + rng.int(3000) } : {}));
    await compare(program, ...options(rng), rng, `program ${p}`, counts);
  }
  assert.ok(counts.compared >= 100_000);
  console.log(`JIT vs interpreter (seed ${SEED}): ${counts.compared} (program, input) pairs, ${counts.tables} jump tables, 0 mismatches`);
});

test(`JIT = interpreter on 60 random decision trees x ${INPUTS} inputs (seed ${SEED})`, async () => {
  const rng = makeRng(SEED + 1);
  const counts = { compared: 0, tables: 0, withTables: 0 };
  for (let p = 0; p < 60; p++) await compare(validate(treeProgram(rng)), ...options(rng), rng, `tree ${p}`, counts);
  assert.ok(counts.tables >= (2 * counts.withTables) / 3, `${counts.tables} jump tables in ${counts.withTables} trees`);
  console.log(`JIT vs interpreter on decision trees (seed ${SEED}): ${counts.compared} pairs, ${counts.tables} jump tables, 0 mismatches`);
});

test.run();
