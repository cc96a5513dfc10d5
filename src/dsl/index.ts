/**
 * What policy files import from 'seccompile': the DSL. No Node imports, no side effects.
 */
export { policy, extendPolicy, allow, errno, kill, killThread, trap, trace, log, notify } from './builders.js';
export type { PolicyInput, PolicyExtension, RuleBuilder, ActionBuilder, SyscallOrGroup } from './builders.js';
export { arg, asU64 } from './conditions.js';
export type { Arg, ArgView } from './conditions.js';
export type { PolicySpec, RuleSpec, ActionSpec, ConditionSpec, SourceLocation, Value } from '../ir/spec.js';
