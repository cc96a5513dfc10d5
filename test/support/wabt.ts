/**
 * wabt (the WebAssembly Binary Toolkit's emscripten build) as a test oracle for src/wasm/binary.ts:
 * the JIT assembles its own text, and the tests check that wabt turns the same text into the same
 * bytes. Loaded once per test process, on first use. wabt.js's parser recurses per nested block
 * (it fails at about 165 levels), so the text given to it is cut at WABT_MAX_LABELS.
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
