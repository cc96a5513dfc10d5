/**
 * The seccomp notification worker (a worker thread of the supervisor, bundled as
 * dist/cli/jail-notify.cjs): answers every notification of the jail's filter and counts them.
 * SECCOMP_IOCTL_NOTIF_RECV blocks, hence a thread of its own; the main thread keeps handling
 * signals and the timeout.
 *
 * - `learn`: the filter notifies every syscall; each is let through
 *   (SECCOMP_USER_NOTIF_FLAG_CONTINUE) once recorded. A notified task waits for its answer, so
 *   no call goes unrecorded whatever the rate. The init stage's own calls (Node's, before
 *   execve) are not recorded: recording starts with the init's execve, and calls of other
 *   threads count only once the command has made its first call after it (Node's threads die
 *   in execve).
 * - `denials`: the filter notifies what the policy denies with an errno; the answer is that
 *   errno, computed by running the original filter on the same seccomp_data, so the command
 *   sees exactly what the kernel would have given it. Never a CONTINUE: a call the policy
 *   denies never runs, even if this worker fails (the kernel then answers ENOSYS).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadProgram } from '../../bpf/load.js';
import { interpreterFor } from '../../bpf/interpreter.js';
import { SECCOMP_RET_ACTION_FULL, SECCOMP_RET_DATA, SECCOMP_RET_ERRNO } from '../../seccomp/abi.js';
import { libc } from '../ffi.js';
import { NotifyListener, decodeNotification } from './seccomp-notify.js';
import type { NotifyWorkerInput, NotifyWorkerOutput, ObservedCall, ObservedDenial } from './notify-session.js';

const ENOSYS = 38;
const STOP_POLL_MS = 100;
/**
 * Distinct entries kept, so that a command cannot grow jail's memory without bound (a hostile
 * one could make a denied ioctl with every request number): beyond them learn mode records the
 * call without its value (the policy then allows it with any), the denial report only counts.
 */
export const MAX_VALUED_CALLS = 10_000;
export const MAX_DENIALS = 1_000;
/**
 * Distinct (arch, nr) kept by learn mode: far above the few thousand calls all tables name, far
 * below what a command making every number from 0 to 2^32 would make jail hold. Calls past it
 * are counted in `unrecorded` (the policy then refuses them).
 */
export const MAX_PLAIN_CALLS = 4_096;

/**
 * (arch, nr) as one number: the arch's position among the few AUDIT_ARCH values seen times
 * 2^32, plus nr (a u32): exact, as both stay far below 2^53.
 */
const archSlots = new Map<number, number>();
function selectorKey(arch: number, nr: number): number {
  let slot = archSlots.get(arch);
  if (slot === undefined) archSlots.set(arch, (slot = archSlots.size));
  return slot * 0x100000000 + (nr >>> 0);
}

const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const ID = 0;
const PID = 8;
const NR = 16;
const ARCH = 20;
const ARGS = 32;

function learn(input: NotifyWorkerInput, listener: NotifyListener, stopped: () => boolean): NotifyWorkerOutput {
  const selectors = new Map(input.selectors.map((s) => [selectorKey(s.arch, s.nr), s]));
  const plain = new Map<number, ObservedCall>();
  const valued = new Map<string, ObservedCall>();
  let phase: 'init' | 'exec' | 'command' = 'init';
  let total = 0;
  let unrecorded = 0;
  const v = listener.raw;
  const recordPlain = (key: number, arch: number, nr: number) => {
    const seen = plain.get(key);
    if (seen) seen.count++;
    else if (plain.size < MAX_PLAIN_CALLS) plain.set(key, { arch, nr, count: 1 });
    else unrecorded++;
  };
  const record = (arch: number, nr: number) => {
    total++;
    const key = selectorKey(arch, nr);
    const s = selectors.get(key);
    if (!s) return recordPlain(key, arch, nr);
    const value = v.getBigUint64(ARGS + 8 * s.arg, little) & s.mask;
    const vkey = `${key}:${value}`;
    const seen = valued.get(vkey);
    if (seen) seen.count++;
    else if (valued.size < MAX_VALUED_CALLS) valued.set(vkey, { arch, nr, arg: s.arg, value, count: 1 });
    else recordPlain(key, arch, nr);
  };
  loop(listener, stopped, () => {
    const pid = v.getUint32(PID, little);
    const nr = v.getInt32(NR, little);
    const arch = v.getUint32(ARCH, little);
    if (phase === 'init') {
      if (pid === input.initPid && nr === input.execveNr && arch === input.nativeArch) {
        phase = 'exec';
        record(arch, nr);
      }
    } else if (phase === 'exec') {
      if (pid === input.initPid) {
        phase = 'command';
        record(arch, nr);
      }
    } else record(arch, nr);
    listener.answer(v.getBigUint64(ID, little), CONTINUE);
  });
  return { mode: 'learn', calls: [...plain.values(), ...valued.values()], total, unrecorded };
}

const CONTINUE = { kind: 'continue' } as const;

function denials(input: NotifyWorkerInput, listener: NotifyListener, stopped: () => boolean): NotifyWorkerOutput {
  const program = loadProgram(Buffer.from(input.program!, 'base64'), input.endian).program;
  const interpreter = interpreterFor(program);
  const selectors = new Map(input.selectors.map((s) => [selectorKey(s.arch, s.nr), s]));
  const found = new Map<string, ObservedDenial>();
  let uncounted = 0;
  loop(listener, stopped, () => {
    const n = decodeNotification(new Uint8Array(listener.raw.buffer, listener.raw.byteOffset, listener.raw.byteLength));
    const ret = interpreter.run(new DataView(n.data.buffer, n.data.byteOffset, n.data.byteLength), input.endian === 'little') >>> 0;
    // Only errno returns were turned into notifications; anything else would be a mismatch, still refused.
    const errno = (ret & SECCOMP_RET_ACTION_FULL) >>> 0 === SECCOMP_RET_ERRNO ? ret & SECCOMP_RET_DATA : ENOSYS;
    listener.answer(n.id, { kind: 'errno', errno });
    const s = selectors.get(selectorKey(n.arch, n.nr));
    const key = `${n.arch}:${n.nr}:${errno}:${s ? n.args[s.arg]! & s.mask : ''}`;
    const seen = found.get(key);
    if (seen) seen.count++;
    else if (found.size < MAX_DENIALS) found.set(key, { arch: n.arch, nr: n.nr, args: n.args, errno, pid: n.pid, count: 1 });
    else uncounted++;
  });
  return { mode: 'denials', denials: [...found.values()], uncounted };
}

/**
 * Answers notifications until no task uses the filter any more, or the supervisor says stop.
 * The stop is heeded even while calls keep coming: the supervisor asks only once the command
 * has ended, and what still calls then (a process the command left behind without a pid
 * namespace) must not keep jail from ending; it waits unanswered until jail kills it.
 */
function loop(listener: NotifyListener, stopped: () => boolean, handle: () => void): void {
  listener.syncWakeUp();
  for (;;) {
    if (stopped()) return;
    const state = listener.wait(STOP_POLL_MS);
    if (state === 'gone') return;
    if (state === 'ready' && listener.receiveRaw()) handle();
  }
}

const input = workerData as NotifyWorkerInput;
const stop = new Int32Array(input.stop);
const listener = new NotifyListener(input.fd);
const stopped = () => Atomics.load(stop, 0) !== 0;
try {
  parentPort!.postMessage(input.mode === 'learn' ? learn(input, listener, stopped) : denials(input, listener, stopped));
} catch (e) {
  // Nobody answers any more: with the listener closed the kernel answers what waits, and
  // whatever comes, with ENOSYS, instead of leaving the command (and jail) waiting forever.
  libc().close(input.fd);
  const message = `${e instanceof Error ? e.message : String(e)}; the calls it did not answer got ENOSYS`;
  parentPort!.postMessage({ mode: 'error', message } satisfies NotifyWorkerOutput);
}
