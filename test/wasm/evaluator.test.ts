import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validate } from '../../src/bpf/validate.js';
import { InterpreterEvaluator } from '../../src/seccomp/evaluate.js';
import { jitEvaluator } from '../../src/wasm/evaluator.js';
import { PROGRAMS } from '../support/programs.js';
import { makeRng, randomSeccompData } from '../support/random-program.js';

for (const [name, insns] of Object.entries(PROGRAMS)) {
  for (const endian of ['little', 'big'] as const) {
    test(`JitEvaluator = InterpreterEvaluator: ${name} (${endian}-endian)`, async () => {
      const program = validate(insns);
      const rng = makeRng(name.length);
      const inputs = Array.from({ length: 3000 }, (_, i) =>
        randomSeccompData(rng, { nr: i % 3 ? rng.int(70) : undefined, arch: i % 4 ? 0xc000003e : undefined }),
      );
      const jit = await jitEvaluator(program, endian);
      const expected = new InterpreterEvaluator(program, endian).evaluateBatch(inputs);
      assert.equal(jit.evaluateBatch(inputs), expected);
      assert.equal(jit.evaluateBatch(inputs.slice(0, 7)), expected.slice(0, 7), 'a smaller batch after a larger one');
      assert.equal(jit.evaluateBatch([]), []);
    });
  }
}

test.run();
