/**
 * wabt (the WebAssembly Binary Toolkit's emscripten build) as the JIT's other assembler
 * (`compileWasm(program, { assembler: 'wabt' })`) and the tests' oracle for ./binary.ts: both
 * must turn the same text into the same bytes. Loaded on first use only (~100 ms, several MB):
 * never on the path of `seccompile policy.ts -o out.bpf` or `jail`.
 * wabt.js's text parser recurses per nested block (it fails at about 165 levels), so text for
 * it is cut into chunks of at most WABT_MAX_LABELS labels (./layout.ts).
 */
type WabtInit = typeof import('wabt');
type Wabt = Awaited<ReturnType<WabtInit>>;
let wabtPromise: Promise<Wabt> | undefined;

/** Assembles WebAssembly text with wabt (tail calls and multi-value on, no debug names). */
export async function wabtAssemble(wat: string): Promise<Uint8Array> {
  wabtPromise ??= import('wabt').then((m) => (m as unknown as { default: WabtInit }).default());
  const wabt = await wabtPromise;
  const module = wabt.parseWat('filter.wat', wat, { tail_call: true, multi_value: true });
  try {
    module.resolveNames();
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}
