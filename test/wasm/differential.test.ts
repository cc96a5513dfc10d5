/**
 * Differential test: the WebAssembly JIT against the interpreter on random valid programs (every
 * seccomp opcode, scratch memory, X, divisions by an X that may be zero, long jumps) and random
 * seccomp_data, in both byte orders, with the default chunking and with tiny chunks (so most
 * jumps cross chunk functions). Every (program, input) pair must agree on ret and steps.
 * JIT_TEST_SEED=n replays another sequence.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Interpreter } from '../../src/bpf/interpreter.js';
import { validate } from '../../src/bpf/validate.js';
import { disassemble } from '../../src/bpf/disasm.js';
import { writeSeccompData } from '../../src/seccomp/data.js';
import { compileWasm } from '../../src/wasm/jit.js';
import { makeRng, randomSeccompData, randomValidProgram } from '../support/random-program.js';

const SEED = Number(process.env.JIT_TEST_SEED ?? 20240601);
const PROGRAMS = 400;
const INPUTS = 256;

test(`JIT = interpreter on ${PROGRAMS} random programs x ${INPUTS} inputs (seed ${SEED})`, async () => {
  const rng = makeRng(SEED);
  const records = new Uint8Array(INPUTS * 64);
  const view = new DataView(records.buffer);
  let compared = 0;
  let chunked = 0;
  for (let p = 0; p < PROGRAMS; p++) {
    const program = validate(randomValidProgram(rng, p % 50 === 0 ? { length: 1000 + rng.int(3000) } : {}));
    const endian = rng.chance(0.5) ? 'little' : 'big';
    const maxLabels = rng.chance(0.25) ? 1 + rng.int(4) : undefined;
    if (maxLabels) chunked++;
    for (let i = 0; i < INPUTS; i++) writeSeccompData(view, randomSeccompData(rng), endian, i * 64);
    const f = await compileWasm(program, { endian, maxLabels });
    const { rets, steps } = f.evaluateBatch(records, INPUTS, { steps: true });
    const interpreter = new Interpreter(program);
    for (let i = 0; i < INPUTS; i++) {
      const ret = interpreter.run(new DataView(records.buffer, i * 64, 64), endian === 'little');
      if (ret !== rets[i] || interpreter.steps !== steps![i]) {
        assert.unreachable(
          `program ${p} (${endian}-endian, maxLabels ${maxLabels ?? 'default'}), input ${i}: ` +
            `interpreter ret 0x${ret.toString(16)} in ${interpreter.steps} steps, JIT ret 0x${rets[i]!.toString(16)} ` +
            `in ${steps![i]} steps\ninput: ${Buffer.from(records.subarray(i * 64, i * 64 + 64)).toString('hex')}\n` +
            disassemble(program),
        );
      }
      compared++;
    }
  }
  assert.ok(compared >= 100_000);
  console.log(`JIT vs interpreter (seed ${SEED}): ${compared} (program, input) pairs, ${chunked} programs with tiny chunks, 0 mismatches`);
});

test.run();
