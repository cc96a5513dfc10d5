/**
 * Spans of raw syscall numbers ([start, end), end <= 2^32), as `ArchSection.knownNrs` and
 * `Arch.knownNrs` record what the tables know: membership (where `newer` applies, ./types.ts),
 * and the numbers worth probing around them (tests, `verify`, the OCI export's check), so that a
 * sweep covers every table number and every edge where a decision can change without walking
 * the million numbers between arm's regular calls and its private ones.
 */
import type { NrSpan } from '../syscalls/arch.js';
import { ARCHES } from '../syscalls/index.js';
import type { ArchSection } from './types.js';

const U32_MAX = 0xffffffff;

/** Whether raw `nr` lies in one of `spans`. */
export function inNrSpans(spans: readonly NrSpan[], nr: number): boolean {
  const n = nr >>> 0;
  return spans.some((s) => n >= s.start && n < s.end);
}

/**
 * Inclusive [from, to] ranges holding every number of `spans` and every number within `margin`
 * of their edges, never below `floor`, sorted and merged.
 */
export function nrSweep(spans: readonly NrSpan[], margin: number, floor = 0): [number, number][] {
  const raw = spans
    .filter((s) => s.end > s.start)
    .map((s): [number, number] => [Math.max(floor, s.start - margin), Math.min(U32_MAX, s.end - 1 + margin)])
    .sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [from, to] of raw) {
    const last = out[out.length - 1];
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}

/**
 * The nr ranges to probe for sections of one arch (a policy's, or a policy's and the profile it
 * was exported to): every number the arch's tables know, and `margin` around the edges of each
 * section's own known spans (an imported profile's span can end at its largest named syscall, or
 * run from arm's regular calls across to its private ones).
 */
export function sectionSweep(sections: readonly ArchSection[], margin = 16): [number, number][] {
  const first = sections[0];
  if (!first) return [];
  const edges = sections.flatMap((section) =>
    section.knownNrs.flatMap((s) => [
      { start: s.start, end: s.start + 1 },
      { start: s.end - 1, end: s.end },
    ]),
  );
  return nrSweep([...ARCHES[first.arch].knownNrs, ...edges], margin, first.nrBase);
}
