/**
 * Runs a bundled policy module in a worker thread and brings back its default export as plain
 * data (structured clone). A policy file is code that a user may not have written: it may loop
 * forever, await something that never settles, call process.exit, keep timers alive or allocate
 * without end. In a worker each of those becomes an outcome the loader can name: the worker is
 * given a time limit (terminated after it), a heap limit (V8 ends it instead of the process),
 * and an AbortSignal (a jail interrupted while it compiles its policy). The worker never outlives
 * the load: it is terminated as soon as the export (or a failure) is known.
 *
 * Not a sandbox: the policy still runs with the process's rights (files, network, signals).
 */
import { Worker } from 'node:worker_threads';

/** Seconds a policy module's own code may run by default. */
export const DEFAULT_LOAD_TIMEOUT = 10;
/** Heap limit (MB) of the worker that evaluates a policy module. */
export const POLICY_HEAP_MB = 256;

export interface IsolateOptions {
  /** Seconds before the worker is terminated (default DEFAULT_LOAD_TIMEOUT). */
  readonly timeout?: number;
  /** Aborting terminates the worker: the load fails as interrupted. */
  readonly signal?: AbortSignal;
}

/** How evaluating the module ended. */
export type IsolateOutcome =
  | { readonly kind: 'exported'; readonly value: unknown }
  | { readonly kind: 'no-default' }
  | { readonly kind: 'not-policy'; readonly got: string }
  | { readonly kind: 'not-data'; readonly message: string }
  | { readonly kind: 'threw'; readonly message: string; readonly stack: string | undefined }
  | { readonly kind: 'exit'; readonly code: number }
  | { readonly kind: 'unsettled' }
  | { readonly kind: 'timeout'; readonly seconds: number }
  | { readonly kind: 'out-of-memory'; readonly heapMb: number }
  | { readonly kind: 'interrupted' };

// The worker's side, as source (an eval worker needs no file of its own in dist/). It checks the
// shape of the export there, because a function or a class instance cannot be cloned across.
// process.exit and process.abort would end the worker (or the whole process) without a word:
// they report first, and exit only the worker.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const post = (m) => parentPort.postMessage(m);
const exit = process.exit.bind(process);
process.exit = (code) => { post({ kind: 'exit', code: Number(code ?? process.exitCode ?? 0) || 0 }); exit(0); };
process.abort = () => { post({ kind: 'exit', code: 134 }); exit(0); };
const describe = (v) => v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
(async () => {
  let mod;
  try {
    if (workerData.tsx) (await import(workerData.tsx)).register();
    if (workerData.entry) await import(workerData.entry);
    post({ kind: 'ready' });
    mod = await import(workerData.url);
  } catch (e) {
    post({ kind: 'threw', message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined });
    return;
  }
  const value = mod.default;
  if (value === undefined) return post({ kind: 'no-default' });
  if (typeof value !== 'object' || value === null || value.kind !== 'policy') return post({ kind: 'not-policy', got: describe(value) });
  try {
    post({ kind: 'exported', value });
  } catch (e) {
    post({ kind: 'not-data', message: e instanceof Error ? e.message : String(e) });
  }
})();
`;

/** What the worker loads before the policy's own code (and before its time starts). */
export interface IsolatePreload {
  /** A file URL of tsx's ESM API, registered first: running from source, seccompile is TypeScript. */
  readonly tsx?: string;
  /** A file URL of the module the policy imports as 'seccompile'. */
  readonly entry?: string;
}

/**
 * Evaluates the ES module at `url` in a fresh worker. The time limit counts from when the
 * worker has loaded `preload` (Node's start and our own modules are not the policy's time).
 */
export function evaluateIsolated(url: string, options: IsolateOptions = {}, preload: IsolatePreload = {}): Promise<IsolateOutcome> {
  const seconds = options.timeout ?? DEFAULT_LOAD_TIMEOUT;
  if (options.signal?.aborted) return Promise.resolve({ kind: 'interrupted' });
  return new Promise((resolve) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { url, ...preload },
      resourceLimits: { maxOldGenerationSizeMb: POLICY_HEAP_MB },
      // The policy's console output goes where it always went; nothing from the parent's argv.
      argv: [],
      env: process.env,
    });
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: IsolateOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      resolve(outcome);
    };
    const onAbort = () => finish({ kind: 'interrupted' });
    options.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: IsolateOutcome | { readonly kind: 'ready' }) => {
      if (m.kind === 'ready') timer = setTimeout(() => finish({ kind: 'timeout', seconds }), seconds * 1000);
      else finish(m);
    });
    worker.on('error', (e: Error & { code?: string }) => {
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') finish({ kind: 'out-of-memory', heapMb: POLICY_HEAP_MB });
      else finish({ kind: 'threw', message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined });
    });
    // Exiting with nothing said: the module's top-level await never settled (nothing was left to run).
    worker.on('exit', () => finish({ kind: 'unsettled' }));
  });
}
