/**
 * Offline analysis of seccomp filters: the exact region analysis of compare-only programs
 * (./cells.ts, ./machine.ts, ./explore.ts), and what is built on it: `diffFilters` (two filters
 * over every input) and `verifyFilter` (a compiled filter against its policy's IR).
 */
export { diffFilters, type DiffOptions, type DiffReport, type Difference, type Filter } from './diff.js';
export { verifyFilter, type ArchSummary, type Counterexample, type VerifyOptions, type VerifyReport } from './verify.js';
export { analyzeShape, type Shape } from './explore.js';
export { actionText, parseActionText } from './action-text.js';
export { formatValue } from './regions.js';
export { explainPolicy, explainSyscall, explanationText, conditionText, type ExplainOptions, type ExplainedRule, type PolicyExplanation, type Route, type SectionExplanation, type SyscallExplanation } from './explain.js';
export { explanationDot } from './explain-dot.js';
export { decidingRule, type Decider } from './deciding-rule.js';
export { provenanceText, sourceListing, type SourceListingOptions } from './source-listing.js';
export { filterDot, type FilterDotOptions } from './filter-dot.js';
