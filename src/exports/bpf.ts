/**
 * `seccompile/bpf`: the classic-BPF toolkit for seccomp filters: the instruction set, validation
 * under the kernel's rules, the encoding, assembler and disassembler (annotated with seccomp's
 * names), seccomp_data, and the two evaluators (the interpreter and the WebAssembly JIT). With
 * seccomp's ABI constants, which reading a filter needs.
 */
export * as isa from '../bpf/isa.js';
export * from '../seccomp/abi.js';
export { disassemble, disassembleLines, disassembleAround, formatInsn, type DisasmOptions, type DisasmLine } from '../bpf/disasm.js';
export { assemble, AsmError, type Assembly, type AsmDiagnostic, type AsmErrorCode } from '../bpf/assembler.js';
export {
  annotateSeccomp,
  disassembleSeccomp,
  describeRet,
  seccompDataField,
  type AnnotateOptions,
  type SyscallNamer,
} from '../seccomp/annotate.js';
export { tableSyscallName } from '../syscalls/syscall-namer.js';
export { validate, check, isValid, BpfError, BPF_ERROR, DATA_SIZE, type Program, type BpfErrorCode } from '../bpf/validate.js';
export { loadProgram, ProgramLoadError, type LoadedProgram } from '../bpf/load.js';
export { encode, decode, EncodingError, type ByteOrder } from '../bpf/encode.js';
export { Interpreter, interpreterFor, run as runProgram, type RunResult } from '../bpf/interpreter.js';
export { encodeSeccompData, writeSeccompData, seccompDataProblem, type SeccompData } from '../seccomp/data.js';
export { evaluate, InterpreterEvaluator, type Evaluation, type Evaluator } from '../seccomp/evaluate.js';
export { compileWasm, type WasmFilter, type JitOptions, type BatchOptions, type BatchResult } from '../wasm/jit.js';
export { toWat, type WatOptions } from '../wasm/wat.js';
export { JitEvaluator, jitEvaluator } from '../wasm/evaluator.js';
