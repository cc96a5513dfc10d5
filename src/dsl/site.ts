/**
 * Where a DSL builder was called from, so diagnostics can point at the rule in the policy file.
 * Uses V8's Error.captureStackTrace (Node) with the public builder as the cut-off frame, so the
 * first remaining frame is the caller's; elsewhere it records nothing. Positions are those of
 * the code that ran: the policy-file loader maps them back through the bundle's source map.
 * Reads the stack only; restores Error.stackTraceLimit before returning.
 */
import type { SourceLocation } from '../ir/spec.js';

type V8ErrorConstructor = ErrorConstructor & {
  captureStackTrace?: (target: object, constructorOpt?: (...args: never[]) => unknown) => void;
  stackTraceLimit?: number;
};

/** The location of the code that called `builder`, or undefined when unavailable. */
export function callSite(builder: (...args: never[]) => unknown): SourceLocation | undefined {
  const E = Error as V8ErrorConstructor;
  if (typeof E.captureStackTrace !== 'function') return undefined;
  const holder: { stack?: string } = {};
  const limit = E.stackTraceLimit;
  try {
    E.stackTraceLimit = 1;
    E.captureStackTrace(holder, builder);
  } finally {
    E.stackTraceLimit = limit;
  }
  const frame = holder.stack?.split('\n').find((l) => /^\s+at /.test(l));
  return frame === undefined ? undefined : parseFrame(frame);
}

/** "    at f (file:///a/b.ts:3:14)" or "    at /a/b.js:3:14" -> { file, line, column }. */
export function parseFrame(frame: string): SourceLocation | undefined {
  const m = /(?:\(|at )([^()\s][^()]*?):(\d+):(\d+)\)?\s*$/.exec(frame);
  if (!m) return undefined;
  let file = m[1]!;
  if (file.startsWith('file://')) {
    try {
      file = decodeURIComponent(new URL(file).pathname);
    } catch {
      // keep the URL as written
    }
  }
  return { file, line: Number(m[2]), column: Number(m[3]) };
}
