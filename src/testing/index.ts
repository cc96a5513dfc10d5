/**
 * `seccompile/testing`: unit-test policies and filters from any test runner.
 *
 *   import { expectPolicy, simulate, load } from 'seccompile/testing';
 *   expectPolicy(myPolicy).allows('read').denies('socket', [AF_INET]).with(errno('EACCES'));
 *   simulate(myPolicy, { arch: 'aarch64', syscall: 'openat', args: [-100, 0, 0] });
 *   const filter = await load('policy.ts', { arch: 'x86_64' });  // or a .bpf file, or bytes
 */
export { load, loadPolicy, loadFilterBytes, LoadError, type LoadedFilter, type LoadOptions, type Loadable } from './load.js';
export { simulate, SimulationError, type Simulation, type SyscallCall, type FilterLike, type ArgValue } from './simulate.js';
export {
  expectPolicy,
  PolicyExpectation,
  Denial,
  PolicyAssertionError,
  type ExpectedAction,
  type ExpectOptions,
} from './expect.js';
export { allow, errno, kill, killThread, trap, trace, log, notify } from '../dsl/builders.js';
