/**
 * wabt (the WebAssembly Binary Toolkit's emscripten build), an implementation independent of ours,
 * checking what the JIT emits: it reads and validates the binary and disassembles it (`seccompile
 * wasm`, the tests), and it assembles the text ./wat.ts renders, which must give the bytes
 * ./binary.ts encoded from the same instruction list (the tests). Loaded on first use only
 * (~100 ms, several MB): never on the path of `seccompile policy.ts -o out.bpf`, `eval` or `jail`.
 * Its text parser recurses per nested block (it fails at about 165 levels), so only small
 * programs' text can be assembled; its binary reader has no such limit.
 */
type WabtInit = typeof import('wabt');
type Wabt = Awaited<ReturnType<WabtInit>>;
type WabtModule = ReturnType<Wabt['readWasm']>;
let wabtPromise: Promise<Wabt> | undefined;

const load = (): Promise<Wabt> =>
  (wabtPromise ??= import('wabt').then((m) => (m as unknown as { default: WabtInit }).default()));

/** Runs `use` on the module wabt reads from `binary` after validating it; throws wabt's complaint if invalid. */
async function withModule<T>(binary: Uint8Array, use: (m: WabtModule) => T): Promise<T> {
  const module = (await load()).readWasm(binary, { readDebugNames: false });
  try {
    module.validate();
    return use(module);
  } finally {
    module.destroy();
  }
}

/** Throws (with wabt's message) unless `binary` is a valid WebAssembly module. */
export async function wabtValidate(binary: Uint8Array): Promise<void> {
  await withModule(binary, () => undefined);
}

/** wabt's text of the valid module `binary` (as `wasm2wat` prints it: flat, indented by nesting). */
export async function wabtDisassemble(binary: Uint8Array): Promise<string> {
  return withModule(binary, (m) => m.toText({ foldExprs: false, inlineExport: true }));
}

/** Assembles WebAssembly text with wabt, validating it (no debug names). */
export async function wabtAssemble(wat: string): Promise<Uint8Array> {
  const module = (await load()).parseWat('filter.wat', wat);
  try {
    module.resolveNames();
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}
