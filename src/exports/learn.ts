/**
 * `seccompile/learn`: what `jail --learn` writes, from calls observed any other way too (a
 * trace, a log): observed calls -> a DSL policy allowing just those (grouped by syscall group,
 * argument values of interest kept) and expectation lines for `seccompile test`; reading such
 * lines back and merging runs.
 */
export { policyText, learnedCommands, type PolicyText } from '../learn/write-policy.js';
export { caseLine, readCases, CasesFileError } from '../learn/cases.js';
export { nameCalls, mergeCalls, callKey, type LearnedCall, type RawCall } from '../learn/learned.js';
export { ARGUMENTS_OF_INTEREST, argumentOfInterest, type ArgumentOfInterest } from '../learn/arguments.js';
