/**
 * The supervisor's side of seccomp notifications: starts the worker thread that answers them
 * (./notify-worker.ts) on the listener taken from the init stage, and collects what it saw.
 */
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';

/** How the filter's notifications are answered (see ./notify-worker.ts). */
export type NotifyMode = 'learn' | 'denials';

/** A syscall (on one arch) whose argument `arg`, masked, is recorded per value. */
export interface ArgSelector {
  /** AUDIT_ARCH_* */
  readonly arch: number;
  readonly nr: number;
  readonly arg: number;
  readonly mask: bigint;
}

export interface NotifyWorkerInput {
  readonly mode: NotifyMode;
  /** The listener fd (a copy in this process). */
  readonly fd: number;
  /** One Int32: set to 1 to make the worker stop at its next idle moment. */
  readonly stop: SharedArrayBuffer;
  /** The init stage's pid as this process sees it, its execve number and native AUDIT_ARCH (learn). */
  readonly initPid: number;
  readonly execveNr: number;
  readonly nativeArch: number;
  readonly selectors: readonly ArgSelector[];
  /** The policy's filter, base64 (denials). */
  readonly program?: string;
  readonly endian: 'little' | 'big';
}

/** A distinct call the command made (learn): per syscall, and per value of a selected argument. */
export interface ObservedCall {
  readonly arch: number;
  readonly nr: number;
  readonly arg?: number;
  /** The selected argument, masked. */
  readonly value?: bigint;
  count: number;
}

/** A distinct denial: the first call's arguments, and how often. */
export interface ObservedDenial {
  readonly arch: number;
  readonly nr: number;
  readonly args: readonly bigint[];
  readonly errno: number;
  /** The thread that made the first one. */
  readonly pid: number;
  count: number;
}

export type NotifyWorkerOutput =
  /** `unrecorded`: calls of distinct numbers past the most the worker keeps. */
  | { readonly mode: 'learn'; readonly calls: readonly ObservedCall[]; readonly total: number; readonly unrecorded: number }
  /** `uncounted`: denials past the most distinct ones the worker keeps. */
  | { readonly mode: 'denials'; readonly denials: readonly ObservedDenial[]; readonly uncounted: number }
  | { readonly mode: 'error'; readonly message: string };

export function notifyWorkerScript(): string {
  return join(packageRoot(), 'dist', 'cli', 'jail-notify.cjs');
}

/** A running worker: `finish()` asks it to stop once idle and resolves with what it saw. */
export interface NotifySession {
  finish(): Promise<NotifyWorkerOutput>;
}

export async function startNotifySession(input: Omit<NotifyWorkerInput, 'stop'>): Promise<NotifySession> {
  // Loaded here: every jail run reaches this module, few answer notifications.
  const { Worker } = await import('node:worker_threads');
  const stop = new SharedArrayBuffer(4);
  const worker = new Worker(notifyWorkerScript(), { workerData: { ...input, stop } satisfies NotifyWorkerInput, env: {} });
  const result = new Promise<NotifyWorkerOutput>((resolve) => {
    worker.once('message', (m: NotifyWorkerOutput) => resolve(m));
    worker.once('error', (e) => resolve({ mode: 'error', message: e.message }));
    worker.once('exit', (code) => resolve({ mode: 'error', message: `the notification worker exited (${code}) without a result` }));
  });
  return {
    finish: async () => {
      Atomics.store(new Int32Array(stop), 0, 1);
      const out = await result;
      await worker.terminate();
      return out;
    },
  };
}
