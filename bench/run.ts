/**
 * `npm run bench`: runs every bench/*.bench.ts (or those whose name contains an argument) and
 * prints each one's table. A bench module's default export returns a BenchReport; it measures,
 * it never asserts. Targets are printed next to the measurements so a reader can compare.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchReport {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<string | number>>;
  /** Lines printed under the table: targets, how it was measured, caveats. */
  readonly notes?: readonly string[];
}

export type Bench = () => Promise<BenchReport | readonly BenchReport[]>;

export function formatTable(report: BenchReport): string {
  const cells = [report.columns, ...report.rows].map((row) =>
    row.map((c) => (typeof c === 'number' ? formatNumber(c) : c)),
  );
  const widths = report.columns.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]!) : String(c).padStart(widths[i]!))).join('  ');
  const out = [`## ${report.title}`, '', line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of cells.slice(1)) out.push(line(r));
  for (const n of report.notes ?? []) out.push(`  ${n}`);
  return out.join('\n') + '\n';
}

function formatNumber(n: number): string {
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort();
if (files.length === 0) console.log('no benchmarks matched');
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: Bench };
  const reports = await mod.default();
  for (const r of Array.isArray(reports) ? reports : [reports as BenchReport]) console.log(formatTable(r));
}
