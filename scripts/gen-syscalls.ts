/**
 * Generates the checked-in syscall and errno tables of src/syscalls/ from reference data:
 *   src/syscalls/tables.ts       from libseccomp's syscalls.csv (../shared/data/syscalls.csv)
 *   src/syscalls/host-syscalls.ts  the few numbers jail needs at start-up, from the same csv
 *   src/syscalls/errno-table.ts  from the kernel's <asm-generic/errno-base.h> and <asm-generic/errno.h>
 *
 * Usage: node --import tsx scripts/gen-syscalls.ts [SYSCALLS_CSV] [--check]
 *   SYSCALLS_CSV defaults to shared/data/syscalls.csv in the nearest ancestor of the project
 *   that has one. --check writes nothing and exits 1 when a checked-in file is stale.
 *
 * Which csv column holds an arch's numbers is the Arch descriptor's `csvColumn` (src/syscalls/arch.ts).
 * The render functions are pure (text in, text out) so test/syscalls/tables.test.ts can
 * regenerate in memory and compare. Output is deterministic: rows sorted by code unit order,
 * and no machine path or date is embedded.
 */
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ARCH_NAMES, ARCH_SPECS, type ArchName } from '../src/syscalls/arch.js';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const TABLES_FILE = join(PROJECT_ROOT, 'src/syscalls/tables.ts');
export const ERRNO_FILE = join(PROJECT_ROOT, 'src/syscalls/errno-table.ts');
/** How the generated file names the default csv: relative to the project checkout. */
export const DEFAULT_CSV_LABEL = '../shared/data/syscalls.csv';
export const ERRNO_HEADERS = ['/usr/include/asm-generic/errno-base.h', '/usr/include/asm-generic/errno.h'] as const;

export const HOST_FILE = join(PROJECT_ROOT, 'src/syscalls/host-syscalls.ts');

/**
 * The syscalls jail makes without a libc wrapper, and execve for its up-front policy check: their
 * numbers go into host-syscalls.ts so that jail's start-up does not load the whole table.
 */
export const HOST_SYSCALLS = ['bpf', 'close_range', 'execve', 'mount_setattr', 'pidfd_getfd', 'pidfd_open', 'pivot_root', 'seccomp'] as const;

/** The csv found in `shared/data/` of the nearest ancestor of the project (worktrees sit deeper). */
export function findDefaultCsv(): string | undefined {
  for (let dir = resolve(PROJECT_ROOT, '..'); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared/data/syscalls.csv');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

export interface CsvSource {
  /** How the generated file cites the csv (never an absolute machine path). */
  readonly label: string;
  readonly csv: string;
  /** The README next to the csv, for the libseccomp commit it was taken from. */
  readonly readme?: string;
}

interface ParsedRow {
  readonly name: string;
  readonly nrs: readonly (number | undefined)[];
}

function parseCsv(text: string, label: string): { kernel: string; rows: ParsedRow[] } {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.split(',');
  const kernel = /^#syscall \(([^)]*)\)$/.exec(header?.[0] ?? '')?.[1];
  if (!header || kernel === undefined) throw new Error(`${label}:1: expected a '#syscall (<kernel version>)' header`);
  const columns = ARCH_NAMES.map((arch) => {
    const column = ARCH_SPECS[arch].csvColumn;
    const i = header.indexOf(column);
    if (i < 1) throw new Error(`${label}:1: no column '${column}' for arch ${arch}`);
    return i;
  });
  const rows: ParsedRow[] = [];
  lines.slice(1).forEach((line, k) => {
    const fields = line.split(',');
    const where = `${label}:${k + 2}`;
    if (fields.length !== header.length) throw new Error(`${where}: ${fields.length} fields, header has ${header.length}`);
    const name = fields[0]!;
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`${where}: bad syscall name '${name}'`);
    const nrs = columns.map((i) => {
      const v = fields[i]!;
      if (v === 'PNR') return undefined;
      if (!/^\d+$/.test(v)) throw new Error(`${where}: bad number '${v}' in column ${header[i]}`);
      return Number(v);
    });
    if (nrs.some((n) => n !== undefined)) rows.push({ name, nrs });
  });
  rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < rows.length; i++) {
    if (rows[i]!.name === rows[i - 1]!.name) throw new Error(`${label}: duplicate syscall '${rows[i]!.name}'`);
  }
  return { kernel, rows };
}

/** The text of src/syscalls/tables.ts for a csv. */
export function renderTables(src: CsvSource): string {
  const { kernel, rows } = parseCsv(src.csv, src.label);
  const commit = src.readme && /libseccomp commit ([0-9a-f]{7,40})/.exec(src.readme)?.[1];
  const origin = commit ? `libseccomp's src/syscalls.csv at commit ${commit}` : `libseccomp's src/syscalls.csv`;
  const nameWidth = Math.max(...rows.map((r) => r.name.length)) + 3;
  const widths = ARCH_NAMES.map((a) => Math.max(a.length, 5));
  const cell = (n: number | undefined, w: number) => (n === undefined ? 'PNR' : String(n)).padStart(w);
  const out: string[] = [];
  out.push(
    '/**',
    ' * GENERATED by scripts/gen-syscalls.ts (`npm run gen:syscalls`): do not edit by hand.',
    ` * Source: ${src.label}, ${origin}`,
    ` * (table header: Linux ${kernel}). Numbers are facts of the kernel ABI.`,
    ' *',
    ' * One row per syscall that exists on at least one of our arches: its number on each arch, in',
    ' * TABLE_ARCHES order (ppc64le uses the csv\'s ppc64 column; the numbers are the same), PNR where',
    ' * the arch lacks it. x32 numbers are listed WITHOUT __X32_SYSCALL_BIT; src/syscalls/index.ts adds',
    ' * Arch.nrBase to get seccomp_data.nr.',
    ' */',
    "import type { ArchName } from './arch.js';",
    '',
    '/** Where these numbers came from. */',
    'export const TABLE_SOURCE = {',
    `  file: '${src.label}',`,
    ...(commit ? [`  libseccompCommit: '${commit}',`] : []),
    `  kernel: '${kernel}',`,
    '} as const;',
    '',
    '/** Column order of the numbers in SYSCALL_TABLE rows. */',
    `export const TABLE_ARCHES = [${ARCH_NAMES.map((a) => `'${a}'`).join(', ')}] as const satisfies readonly ArchName[];`,
    '',
    '/** "Pseudo syscall number" (libseccomp\'s PNR): the syscall does not exist on this arch. */',
    'export const PNR = -1;',
    '',
    `/** Every syscall name known on any of our arches (${rows.length} names). */`,
    'export type SyscallName =',
    ...rows.map((r, i) => `  | '${r.name}'${i === rows.length - 1 ? ';' : ''}`),
    '',
    `export type SyscallRow = readonly [name: SyscallName, ${ARCH_NAMES.map((a) => `${a}: number`).join(', ')}];`,
    '',
    '/** Sorted by name. */',
    'export const SYSCALL_TABLE: readonly SyscallRow[] = [',
    `  // ${''.padEnd(nameWidth)}${ARCH_NAMES.map((a, i) => a.padStart(widths[i]!)).join('  ')}`,
    ...rows.map(
      (r) =>
        `  [${`'${r.name}',`.padEnd(nameWidth + 1)} ${r.nrs.map((n, i) => cell(n, widths[i]!)).join(', ')}],`,
    ),
    '];',
    '',
  );
  return out.join('\n');
}

/**
 * The text of src/syscalls/host-syscalls.ts: HOST_SYSCALLS' numbers on every arch that can be a
 * host (an Arch descriptor with a `nodeArch`), from the same csv as tables.ts.
 */
export function renderHostSyscalls(src: CsvSource): string {
  const { rows } = parseCsv(src.csv, src.label);
  const hosts = ARCH_NAMES.filter((a) => ARCH_SPECS[a].nodeArch !== undefined);
  const line = (arch: ArchName) => {
    const column = ARCH_NAMES.indexOf(arch);
    const nrs = HOST_SYSCALLS.map((name) => {
      const nr = rows.find((r) => r.name === name)?.nrs[column];
      if (nr === undefined) throw new Error(`${src.label}: ${name} has no number on ${arch}, which jail needs`);
      return `${name}: ${(ARCH_SPECS[arch].nrBase + nr) >>> 0}`;
    });
    return `  ${arch}: { ${nrs.join(', ')} },`;
  };
  return [
    '/**',
    ' * GENERATED by scripts/gen-syscalls.ts (`npm run gen:syscalls`): do not edit by hand.',
    ` * Source: ${src.label}, as ./tables.ts.`,
    ' *',
    ' * The numbers of the syscalls jail makes without a libc wrapper, and of execve for its',
    " * up-front policy check, on each arch that can be a host: apart from ./tables.ts so jail's",
    ' * start-up does not load the whole table.',
    ' */',
    "import type { ArchName } from './arch.js';",
    '',
    `export type HostSyscall = ${HOST_SYSCALLS.map((n) => `'${n}'`).join(' | ')};`,
    '',
    'export const HOST_SYSCALL_NUMBERS: Readonly<Partial<Record<ArchName, Readonly<Record<HostSyscall, number>>>>> = {',
    ...hosts.map(line),
    '};',
    '',
  ].join('\n');
}

export interface ErrnoHeader {
  readonly label: string;
  readonly text: string;
}

/** The text of src/syscalls/errno-table.ts from the asm-generic errno headers. */
export function renderErrnoTable(headers: readonly ErrnoHeader[]): string {
  const entries: { name: string; errno: number; message: string; alias?: string }[] = [];
  const byName = new Map<string, (typeof entries)[number]>();
  for (const h of headers) {
    for (const line of h.text.split('\n')) {
      const m = /^#define\s+(E[A-Z0-9]+)\s+(\d+|E[A-Z0-9]+)\s*(?:\/\*\s*(.*?)\s*\*\/)?\s*$/.exec(line);
      if (!m) continue;
      const [, name, value, message] = m as unknown as [string, string, string, string | undefined];
      let entry: (typeof entries)[number];
      if (/^\d+$/.test(value)) {
        entry = { name, errno: Number(value), message: message ?? '' };
      } else {
        const target = byName.get(value);
        if (!target) throw new Error(`${h.label}: ${name} aliases unknown ${value}`);
        entry = { name, errno: target.errno, message: message ?? target.message, alias: value };
      }
      if (byName.has(name)) throw new Error(`${h.label}: duplicate ${name}`);
      byName.set(name, entry);
      entries.push(entry);
    }
  }
  if (!byName.has('EPERM') || !byName.has('EHWPOISON')) throw new Error('errno headers: EPERM..EHWPOISON not all found');
  entries.sort((a, b) => a.errno - b.errno || (a.alias ? 1 : 0) - (b.alias ? 1 : 0));
  const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return [
    '/**',
    ' * GENERATED by scripts/gen-syscalls.ts (`npm run gen:syscalls`): do not edit by hand.',
    ` * Source: the Linux uapi headers ${headers.map((h) => `<${h.label}>`).join(' and ')},`,
    ' * the errno values every arch we target uses (asm-generic). Sorted by number; aliases',
    ' * (`#define EWOULDBLOCK EAGAIN`) follow the name they alias. Arch differences are in ./errno.ts.',
    ' */',
    '',
    'export interface ErrnoEntry {',
    '  readonly name: ErrnoName;',
    '  readonly errno: number;',
    "  /** The header's comment, e.g. 'Operation not permitted'. */",
    '  readonly message: string;',
    '  /** Set when the header defines this name as another one (EWOULDBLOCK -> EAGAIN). */',
    '  readonly alias?: ErrnoName;',
    '}',
    '',
    'export type ErrnoName =',
    ...entries.map((e, i) => `  | '${e.name}'${i === entries.length - 1 ? ';' : ''}`),
    '',
    'export const ERRNO_TABLE: readonly ErrnoEntry[] = [',
    ...entries.map(
      (e) =>
        `  { name: '${e.name}', errno: ${e.errno}, message: ${q(e.message)}${e.alias ? `, alias: '${e.alias}'` : ''} },`,
    ),
    '];',
    '',
  ].join('\n');
}

/** Reads the csv (and its README, if any) for renderTables. */
export function readCsvSource(path: string, label: string): CsvSource {
  const readmePath = join(dirname(path), 'README.md');
  return {
    label,
    csv: readFileSync(path, 'utf8'),
    ...(existsSync(readmePath) ? { readme: readFileSync(readmePath, 'utf8') } : {}),
  };
}

/** The errno headers, with labels as an #include would name them. */
export function readErrnoHeaders(): ErrnoHeader[] {
  return ERRNO_HEADERS.map((p) => ({ label: p.replace('/usr/include/', ''), text: readFileSync(p, 'utf8') }));
}

function main(argv: readonly string[]): number {
  const check = argv.includes('--check');
  const positional = argv.filter((a) => !a.startsWith('--'));
  let csvPath: string | undefined;
  let label: string;
  if (positional[0] !== undefined) {
    csvPath = resolve(positional[0]);
    // The shared file keeps its usual label however it was named, so the staleness test agrees.
    const shared = findDefaultCsv();
    const same = shared !== undefined && existsSync(csvPath) && realpathSync(shared) === realpathSync(csvPath);
    label = same ? DEFAULT_CSV_LABEL : relative(PROJECT_ROOT, csvPath);
  } else {
    csvPath = findDefaultCsv();
    label = DEFAULT_CSV_LABEL;
  }
  if (!csvPath || !existsSync(csvPath)) {
    process.stderr.write(`gen-syscalls: no syscalls.csv (looked for ${positional[0] ?? 'shared/data/syscalls.csv'})\n`);
    return 2;
  }
  const source = readCsvSource(csvPath, label);
  const outputs: [string, string][] = [
    [TABLES_FILE, renderTables(source)],
    [HOST_FILE, renderHostSyscalls(source)],
  ];
  if (ERRNO_HEADERS.every((p) => existsSync(p))) outputs.push([ERRNO_FILE, renderErrnoTable(readErrnoHeaders())]);
  else process.stderr.write('gen-syscalls: asm-generic errno headers absent (install linux-libc-dev); errno table kept\n');
  let stale = 0;
  for (const [file, text] of outputs) {
    const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const rel = relative(PROJECT_ROOT, file);
    if (current === text) process.stdout.write(`${rel}: up to date\n`);
    else if (check) {
      process.stdout.write(`${rel}: stale\n`);
      stale++;
    } else {
      writeFileSync(file, text);
      process.stdout.write(`${rel}: written\n`);
    }
  }
  return stale ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
