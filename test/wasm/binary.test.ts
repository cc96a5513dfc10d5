/**
 * src/wasm/binary.ts and src/wasm/wat.ts against wabt: the text rendered from an instruction list,
 * assembled by wabt, is byte for byte the binary we encode from the same list (every opcode the
 * model has; the emitter's output for random programs, both byte orders, with and without jump
 * tables); wabt reads and validates binaries nested far deeper than its text parser goes; and a
 * list that names an undeclared label or local is refused, naming the function and instruction.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validate } from '../../src/bpf/validate.js';
import { insn } from '../../src/bpf/isa.js';
import { encodeModule } from '../../src/wasm/binary.js';
import { emitModule } from '../../src/wasm/emit.js';
import { Code, MEMORY_OPCODES, PLAIN_OPCODES, type Instr, type PlainOp, type WasmModule } from '../../src/wasm/instructions.js';
import { renderWat, toWat } from '../../src/wasm/wat.js';
import { wabtAssemble, wabtDisassemble, wabtValidate } from '../../src/wasm/wabt.js';
import { makeRng, randomValidProgram } from '../support/random-program.js';

/** A module with one exported function `f(p)` (locals $a, $b) whose body is `body`. */
const moduleOf = (body: readonly Instr[], data: WasmModule['data'] = []): WasmModule => ({
  comment: 'test module',
  memory: { exportName: 'memory', pages: 1 },
  funcs: [{ exportName: 'f', params: ['$p'], locals: ['$a', '$b'], body }],
  globals: [{ exportName: 'g', value: 0xfffffff0 }],
  data,
});

/** Pushes two operands before, and drops the result after, each plain instruction. */
function everyPlainOp(): Code {
  const code = new Code();
  for (const op of Object.keys(PLAIN_OPCODES) as PlainOp[]) {
    if (op === 'drop') code.const(1).op('drop');
    else if (op === 'i32.eqz') code.get('$p').op('i32.eqz').set('$a');
    else code.get('$p').const(3).op(op).set('$a');
  }
  return code;
}

const SHAPES: ReadonlyArray<readonly [string, () => Code]> = [
  ['every plain instruction', everyPlainOp],
  [
    'every memory instruction, offsets 0 and beyond a LEB128 byte',
    () => {
      const code = new Code();
      for (const op of Object.keys(MEMORY_OPCODES) as Array<keyof typeof MEMORY_OPCODES>) {
        for (const offset of [0, 4, 200]) {
          if (op === 'i32.store') code.get('$p').const(7).mem(op, offset);
          else code.get('$p').mem(op, offset).set('$b');
        }
      }
      return code;
    },
  ],
  [
    'constants at the signed LEB128 boundaries',
    () => {
      const code = new Code();
      for (const v of [0, 63, 64, 8191, 8192, 0x7fffffff, 0x80000000, 0xffffffc0, 0xffffffbf, 0xffffffff, -1]) code.const(v).set('$a');
      return code;
    },
  ],
  [
    'blocks, loops, ifs, branches by depth, a br_table and local.tee',
    () =>
      new Code()
        .block('$out')
        .loop('$again')
        .block('$x', true)
        .const(5)
        .get('$p')
        .brIf('$x')
        .end()
        .tee('$a')
        .if()
        .block('$y')
        .get('$p')
        .brTable(['$out', '$again', '$y'], '$y')
        .end()
        .br('$out')
        .end()
        .get('$a')
        .brIf('$again')
        .end()
        .end(),
  ],
];

for (const [what, shape] of SHAPES) {
  test(`wabt assembles the rendered text to our bytes: ${what}`, async () => {
    const module = moduleOf(shape().instrs, [{ offset: 300, bytes: new Uint8Array([0, 0x5c, 0xff]), note: 'three bytes' }]);
    const binary = encodeModule(module);
    assert.equal(await wabtAssemble(renderWat(module)), binary);
    await wabtValidate(binary);
  });
}

test('wabt assembles the text of 200 random programs to the bytes the JIT runs', async () => {
  const rng = makeRng(4242);
  for (let p = 0; p < 200; p++) {
    // Short enough for wabt's text parser (it recurses per nested block).
    const program = validate(randomValidProgram(rng, { length: 2 + rng.int(90) }));
    const options = { endian: rng.pick(['big', 'little'] as const), jumpTables: rng.chance(0.8) };
    const binary = encodeModule(emitModule(program, options));
    assert.equal(await wabtAssemble(toWat(program, { ...options, comments: rng.chance(0.5) })), binary, `program ${p}`);
  }
});

test('wabt assembles the text of jump tables to the bytes the JIT runs, both kinds of exit', async () => {
  // ld nr; a jeq chain over nr 0..39 (a decision tree: a jump table goes in front), each to its
  // own exit: `ret #k` (returned straight from the table) or `ld #k; ret a` (reached by br_table).
  const n = 40;
  const direct = validate([
    insn(0x20, 0),
    ...Array.from({ length: n }, (_, i) => insn(0x15, i, n - i, 0)),
    insn(0x06, 0),
    ...Array.from({ length: n }, (_, i) => insn(0x06, 0x50000 + i)),
  ]);
  const jumped = validate([
    insn(0x20, 0),
    ...Array.from({ length: n }, (_, i) => insn(0x15, i, n + i, 0)),
    insn(0x06, 0),
    ...Array.from({ length: n }, (_, i) => [insn(0x00, 0x50000 + i), insn(0x16, 0)]).flat(),
  ]);
  for (const [program, shape] of [[direct, /i32\.load(?: offset=\d+)?\n\s+br \$ret/], [jumped, /br_table/]] as const) {
    const wat = toWat(program);
    assert.match(wat, shape);
    assert.equal(await wabtAssemble(wat), encodeModule(emitModule(program)));
  }
});

const REFUSED: ReadonlyArray<readonly [string, Instr[], RegExp]> = [
  ['a branch to an unknown label', new Code().block('$a').br('$b').end().instrs, /branch to \$b, which is not an open block in function f, instruction 1/],
  ['a branch to a closed label', new Code().block('$a').end().br('$a').instrs, /branch to \$a, which is not an open block in function f, instruction 2/],
  ['a br_table to a closed label', new Code().block('$a').end().const(0).brTable([], '$a').instrs, /branch to \$a, .* instruction 3/],
  ['an unknown local', new Code().get('$B').op('drop').instrs, /unknown local \$B in function f, instruction 0/],
  ['an end too many', new Code().block('$a').end().end().instrs, /end without a block in function f, instruction 2/],
  ['a block left open', new Code().block('$a').loop('$b').end().instrs, /1 block\(s\) left open in function f, instruction 3/],
];

for (const [what, body, error] of REFUSED) {
  test(`refuses ${what}, naming the function and instruction`, () => {
    assert.throws(() => encodeModule(moduleOf(body)), error);
  });
}

test('deep nesting: 5,000 blocks in one function, valid for wabt and V8', async () => {
  const depth = 5000;
  const code = new Code();
  for (let i = 0; i < depth; i++) code.block(`$b${i}`);
  code.get('$p').brTable([`$b${depth - 1}`, '$b0'], `$b${depth >> 1}`);
  for (let i = 0; i < depth; i++) code.end();
  code.const(7).set('$a');
  const binary = encodeModule(moduleOf(code.instrs));
  await wabtValidate(binary);
  assert.match(await wabtDisassemble(binary), /br_table 0 \(;@5000;\) 4999 \(;@1;\) 2499 \(;@2501;\)/);
  const wasm = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
  assert.ok(wasm.validate(binary));
});

test('wabt refuses an invalid binary with its reason', async () => {
  // A function that leaves an i32 on the stack but returns nothing.
  const binary = encodeModule(moduleOf(new Code().const(1).instrs));
  try {
    await wabtValidate(binary);
    assert.unreachable('wabt accepted it');
  } catch (e) {
    assert.match((e as Error).message, /type mismatch|expected \[\] but got \[i32\]/);
  }
});

test.run();
