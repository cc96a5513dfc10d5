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
import { loadProgram } from '../bpf/load.js';
import { interpreterFor } from '../bpf/interpreter.js';
import { NotifyListener, type Notification } from './seccomp-notify.js';
import type { NotifyWorkerInput, NotifyWorkerOutput, ObservedCall, ObservedDenial } from './notify-session.js';

const SECCOMP_RET_ACTION_FULL = 0xffff0000;
const SECCOMP_RET_ERRNO = 0x00050000;
const SECCOMP_RET_DATA = 0x0000ffff;
const ENOSYS = 38;
const STOP_POLL_MS = 100;

function selectorKey(arch: number, nr: number): string {
  return `${arch}:${nr}`;
}

function learn(input: NotifyWorkerInput, listener: NotifyListener, stopped: () => boolean): NotifyWorkerOutput {
  const selectors = new Map(input.selectors.map((s) => [selectorKey(s.arch, s.nr), s]));
  const calls = new Map<string, ObservedCall>();
  let phase: 'init' | 'exec' | 'command' = 'init';
  let total = 0;
  const record = (n: Notification) => {
    total++;
    const s = selectors.get(selectorKey(n.arch, n.nr));
    const value = s ? n.args[s.arg]! & s.mask : undefined;
    const key = `${n.arch}:${n.nr}:${value ?? ''}`;
    const seen = calls.get(key);
    if (seen) seen.count++;
    else calls.set(key, { arch: n.arch, nr: n.nr, ...(s && value !== undefined ? { arg: s.arg, value } : {}), count: 1 });
  };
  loop(listener, stopped, (n) => {
    if (phase === 'init') {
      if (n.pid === input.initPid && n.nr === input.execveNr && n.arch === input.nativeArch) {
        phase = 'exec';
        record(n);
      }
    } else if (phase === 'exec') {
      if (n.pid === input.initPid) {
        phase = 'command';
        record(n);
      }
    } else record(n);
    listener.answer(n.id, { kind: 'continue' });
  });
  return { mode: 'learn', calls: [...calls.values()], total };
}

function denials(input: NotifyWorkerInput, listener: NotifyListener, stopped: () => boolean): NotifyWorkerOutput {
  const program = loadProgram(Buffer.from(input.program!, 'base64'), input.endian).program;
  const interpreter = interpreterFor(program);
  const little = input.endian === 'little';
  const selectors = new Map(input.selectors.map((s) => [selectorKey(s.arch, s.nr), s]));
  const found = new Map<string, ObservedDenial>();
  loop(listener, stopped, (n) => {
    const ret = interpreter.run(new DataView(n.data.buffer, n.data.byteOffset, n.data.byteLength), little) >>> 0;
    // Only errno returns were turned into notifications; anything else would be a mismatch, still refused.
    const errno = (ret & SECCOMP_RET_ACTION_FULL) >>> 0 === SECCOMP_RET_ERRNO ? ret & SECCOMP_RET_DATA : ENOSYS;
    listener.answer(n.id, { kind: 'errno', errno });
    const s = selectors.get(selectorKey(n.arch, n.nr));
    const key = `${n.arch}:${n.nr}:${errno}:${s ? n.args[s.arg]! & s.mask : ''}`;
    const seen = found.get(key);
    if (seen) seen.count++;
    else found.set(key, { arch: n.arch, nr: n.nr, args: n.args, errno, pid: n.pid, count: 1 });
  });
  return { mode: 'denials', denials: [...found.values()] };
}

/** Answers notifications until no task uses the filter any more, or the supervisor says stop. */
function loop(listener: NotifyListener, stopped: () => boolean, handle: (n: Notification) => void): void {
  listener.syncWakeUp();
  for (;;) {
    const state = listener.wait(STOP_POLL_MS);
    if (state === 'gone') return;
    if (state === 'idle') {
      if (stopped()) return;
      continue;
    }
    const n = listener.receive();
    if (n) handle(n);
  }
}

const input = workerData as NotifyWorkerInput;
const stop = new Int32Array(input.stop);
const listener = new NotifyListener(input.fd);
const stopped = () => Atomics.load(stop, 0) !== 0;
try {
  parentPort!.postMessage(input.mode === 'learn' ? learn(input, listener, stopped) : denials(input, listener, stopped));
} catch (e) {
  parentPort!.postMessage({ mode: 'error', message: e instanceof Error ? e.message : String(e) } satisfies NotifyWorkerOutput);
}
