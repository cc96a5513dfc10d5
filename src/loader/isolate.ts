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
import { createRequire } from 'node:module';
import type * as WorkerThreads from 'node:worker_threads';

// node:worker_threads is loaded when a worker starts, not with this module: bundled into the one
// module of the CLI, a static import cost every command (a JSON profile, --help) ~2 ms of CPU.
const load = createRequire(import.meta.url);

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

// The worker's side, as source (an eval worker needs no file of its own in dist/). It loads our
// own modules first, says 'ready', then loads the entry the module it is sent imports (when that
// is not the one loaded already), says 'started' and evaluates the module. It checks the shape of
// the export itself, because a function or a class instance cannot be cloned across.
// process.exit and process.abort would end the worker (or the whole process) without a word:
// they report first, and exit only the worker.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const post = (m) => parentPort.postMessage(m);
const exit = process.exit.bind(process);
process.exit = (code) => { post({ kind: 'exit', code: Number(code ?? process.exitCode ?? 0) || 0 }); exit(0); };
process.abort = () => { post({ kind: 'exit', code: 134 }); exit(0); };
const describe = (v) => v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
const threw = (e) => post({ kind: 'threw', message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined });
(async () => {
  try {
    if (workerData.tsx) (await import(workerData.tsx)).register();
    if (workerData.entry) await import(workerData.entry);
  } catch (e) {
    return threw(e);
  }
  parentPort.once('message', async ({ url, entry }) => {
    let mod;
    try {
      if (entry !== workerData.entry) await import(entry);
      post({ kind: 'started' });
      mod = await import(url);
    } catch (e) {
      return threw(e);
    }
    const value = mod.default;
    if (value === undefined) return post({ kind: 'no-default' });
    if (typeof value !== 'object' || value === null || value.kind !== 'policy') return post({ kind: 'not-policy', got: describe(value) });
    try {
      post({ kind: 'exported', value });
    } catch (e) {
      post({ kind: 'not-data', message: e instanceof Error ? e.message : String(e) });
    }
  });
  post({ kind: 'ready' });
})();
`;

/** What the worker loads before the policy's own code (and before its time starts). */
export interface IsolatePreload {
  /** A file URL of tsx's ESM API, registered first: running from source, seccompile is TypeScript. */
  readonly tsx?: string;
  /** A file URL of the entry a policy most likely imports as 'seccompile' (loaded before any module is sent). */
  readonly entry?: string;
}

/**
 * A worker started ahead of the policy's bundle (Node's start and our own modules load while
 * esbuild bundles), to evaluate one module. `evaluate` may be called once; `dispose` ends the
 * worker when the module will not come (the bundle failed).
 */
export interface Isolate {
  /** Evaluates the module at `url`, which imports our package as the module at `entry` (a file URL). */
  evaluate(url: string, entry: string, options?: IsolateOptions): Promise<IsolateOutcome>;
  dispose(): void;
}

/** Starts the worker that will evaluate a policy module (see Isolate). */
export function startIsolate(preload: IsolatePreload = {}): Isolate {
  const { Worker } = load('node:worker_threads') as typeof WorkerThreads;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { ...preload },
    resourceLimits: { maxOldGenerationSizeMb: POLICY_HEAP_MB },
    // The policy's console output goes where it always went; nothing from the parent's argv.
    argv: [],
    env: process.env,
  });
  let ready = false;
  let early: IsolateOutcome | undefined;
  let onOutcome: ((o: IsolateOutcome) => void) | undefined;
  let onReady: (() => void) | undefined;
  let onStarted: (() => void) | undefined;
  const outcome = (o: IsolateOutcome) => {
    if (onOutcome) onOutcome(o);
    else early ??= o;
  };
  worker.on('message', (m: IsolateOutcome | { readonly kind: 'ready' } | { readonly kind: 'started' }) => {
    if (m.kind === 'started') return onStarted?.();
    if (m.kind !== 'ready') return outcome(m);
    ready = true;
    onReady?.();
  });
  worker.on('error', (e: Error & { code?: string }) => {
    if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') outcome({ kind: 'out-of-memory', heapMb: POLICY_HEAP_MB });
    else outcome({ kind: 'threw', message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined });
  });
  // Exiting with nothing said: the module's top-level await never settled (nothing was left to run).
  worker.on('exit', () => outcome({ kind: 'unsettled' }));
  // Until a module is sent, the worker must not keep the process alive.
  worker.unref();

  return {
    dispose: () => void worker.terminate(),
    evaluate(url, entry, options = {}) {
      const seconds = options.timeout ?? DEFAULT_LOAD_TIMEOUT;
      worker.ref();
      return new Promise((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        const finish = (o: IsolateOutcome) => {
          onOutcome = () => {};
          onStarted = undefined;
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          void worker.terminate();
          resolve(o);
        };
        const onAbort = () => finish({ kind: 'interrupted' });
        if (options.signal?.aborted) return finish({ kind: 'interrupted' });
        if (early) return finish(early);
        onOutcome = finish;
        options.signal?.addEventListener('abort', onAbort, { once: true });
        // The time limit is the policy's: it starts when the worker has our package loaded and
        // starts to load the module, the first moment the policy's own code can run.
        onStarted = () => {
          timer = setTimeout(() => finish({ kind: 'timeout', seconds }), seconds * 1000);
        };
        const send = () => worker.postMessage({ url, entry });
        if (ready) send();
        else onReady = send;
      });
    },
  };
}
