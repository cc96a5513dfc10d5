/**
 * The public API of seccompile: the policy DSL, the compiler, and the BPF toolkit.
 */
export * from './seccomp/abi.js';
export * as isa from './bpf/isa.js';
export * from './syscalls/index.js';
export * from './syscalls/errno.js';
export * from './syscalls/constants.js';
export { disassemble, disassembleLines, disassembleAround, formatInsn, type DisasmOptions, type DisasmLine } from './bpf/disasm.js';
export { assemble, AsmError, type Assembly, type AsmDiagnostic, type AsmErrorCode } from './bpf/assembler.js';
export {
  annotateSeccomp,
  disassembleSeccomp,
  describeRet,
  seccompDataField,
  type AnnotateOptions,
  type SyscallNamer,
} from './seccomp/annotate.js';
export { tableSyscallName } from './syscalls/syscall-namer.js';
export { compile, encodeFilter, CompileError, COMPILE_ERROR } from './compiler/index.js';
export type { CompileErrorCode, CompileOptions, CompileResult, CompileStats } from './compiler/index.js';
export { decide, type SyscallData } from './ir/semantics.js';
export * from './dsl/index.js';
export { normalize } from './ir/normalize.js';
export type { NormalizeOptions, NormalizeResult, SkippedSyscall } from './ir/normalize.js';
export { formatDiagnostic, hasErrors, DIAGNOSTIC_CODES } from './ir/diagnostics.js';
export type { Diagnostic, DiagnosticCode, Severity } from './ir/diagnostics.js';
export type * from './ir/types.js';
export { loadPolicyFile, PolicyLoadError, type LoadedPolicy } from './loader/policy-file.js';
export { validate, check, isValid, BpfError, BPF_ERROR, DATA_SIZE, type Program, type BpfErrorCode } from './bpf/validate.js';
export { loadProgram, ProgramLoadError, type LoadedProgram } from './bpf/load.js';
export { encode, decode, EncodingError, type ByteOrder } from './bpf/encode.js';
export { Interpreter, interpreterFor, run as runProgram, type RunResult } from './bpf/interpreter.js';
export { encodeSeccompData, writeSeccompData, seccompDataProblem, type SeccompData } from './seccomp/data.js';
export { evaluate, InterpreterEvaluator, type Evaluation, type Evaluator } from './seccomp/evaluate.js';
export { compileWasm, type WasmFilter, type JitOptions, type BatchOptions, type BatchResult } from './wasm/jit.js';
export { toWat, type WatOptions } from './wasm/wat.js';
export { JitEvaluator, jitEvaluator } from './wasm/evaluator.js';
export {
  importOciProfile,
  loadOciFile,
  exportOciProfile,
  exportK8sProfile,
  ociProfileJson,
  OciExportError,
  formatOciDiagnostic,
  DOCKER_DEFAULT_CAPS,
  type OciImportOptions,
  type OciImportResult,
  type OciDiagnostic,
  type OciExport,
  type OciProfileOut,
} from './oci/index.js';
export {
  diffFilters,
  verifyFilter,
  analyzeShape,
  actionText,
  parseActionText,
  type DiffOptions,
  type DiffReport,
  type Difference,
  type Filter,
  type ArchSummary,
  type Counterexample,
  type VerifyOptions,
  type VerifyReport,
  type Shape,
  explainPolicy,
  explanationText,
  explanationDot,
  type ExplainOptions,
  type PolicyExplanation,
  type SyscallExplanation,
} from './analysis/index.js';
export type { VerifyJson, DiffJson, DiffInputJson, TestJson, SyscallsJson, CallJson } from './cli/json-output.js';
