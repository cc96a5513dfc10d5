/**
 * `seccompile/analysis`: what a filter decides, without a kernel: verify a filter against its
 * policy, diff two filters, explain a policy per syscall; and the shapes of the commands' `--json`
 * output.
 */
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
  filterDot,
  sourceListing,
  provenanceText,
  decidingRule,
  type FilterDotOptions,
  type SourceListingOptions,
  type Decider,
  type ExplainOptions,
  type PolicyExplanation,
  type SyscallExplanation,
} from '../analysis/index.js';
export type { VerifyJson, DiffJson, DiffInputJson, TestJson, SyscallsJson, CallJson } from '../cli/seccompile/json-output.js';
