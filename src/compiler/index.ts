/**
 * The compiler's public surface: PolicyIR -> validated seccomp program. Stages, in order:
 * ./dispatch.ts (arch dispatch, nr ranges from ./ranges.ts, rule trees from ./conditions.ts over
 * ./tree.ts), ./lower.ts + ./codegen.ts (instructions), ./compile.ts (orchestration, limits).
 */
export { compile, encodeFilter, CompileError, COMPILE_ERROR } from './compile.js';
export type { CompileErrorCode, CompileOptions, CompileResult, CompileStats } from './compile.js';
export type { DecisionTree, TestOp } from './tree.js';
export { soleRule } from './provenance.js';
export type { InsnProvenance, InsnSource } from './provenance.js';
