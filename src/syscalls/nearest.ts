/**
 * "Did you mean ...?" support: the closest names to a misspelt one by edit distance
 * (optimal string alignment: insertions, deletions, substitutions and adjacent transpositions
 * cost 1), with a cut-off so unrelated names are never suggested.
 */

/** Optimal string alignment distance between a and b. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[(i - 2) * cols + j - 2]! + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1]!;
}

/**
 * Up to `n` candidates closest to `name`, nearest first (ties in code unit order), only those
 * within max(1, floor(length / 3)) edits, so `conect` suggests `connect` but `xyz` suggests
 * nothing.
 */
export function nearestNames(name: string, candidates: Iterable<string>, n = 3): string[] {
  const limit = Math.max(1, Math.floor(name.length / 3));
  const scored: [number, string][] = [];
  for (const c of candidates) {
    if (Math.abs(c.length - name.length) > limit) continue;
    const dist = editDistance(name, c);
    if (dist <= limit && c !== name) scored.push([dist, c]);
  }
  scored.sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
  return scored.slice(0, Math.max(0, n)).map(([, c]) => c);
}

/** ' (did you mean a?)', ' (did you mean a or b?)', ' (did you mean a, b or c?)', or '' for none. */
export function didYouMean(suggestions: readonly string[]): string {
  if (suggestions.length === 0) return '';
  const list =
    suggestions.length === 1
      ? suggestions[0]
      : `${suggestions.slice(0, -1).join(', ')} or ${suggestions[suggestions.length - 1]}`;
  return ` (did you mean ${list}?)`;
}
