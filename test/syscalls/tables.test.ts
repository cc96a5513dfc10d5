// The checked-in generated tables match what the generator makes from the reference data now.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import {
  DEFAULT_CSV_LABEL,
  ERRNO_FILE,
  ERRNO_HEADERS,
  HOST_FILE,
  TABLES_FILE,
  findDefaultCsv,
  readCsvSource,
  readErrnoHeaders,
  renderErrnoTable,
  renderHostSyscalls,
  renderTables,
} from '../../scripts/gen-syscalls.js';

/** First differing line, so a stale table names what changed. */
function firstDiff(expected: string, actual: string): string {
  const e = expected.split('\n');
  const a = actual.split('\n');
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] !== a[i]) return `line ${i + 1}:\n  generated: ${e[i]}\n  checked in: ${a[i]}`;
  }
  return '';
}

const csv = findDefaultCsv();
if (csv) {
  test('src/syscalls/tables.ts is up to date with syscalls.csv (npm run gen:syscalls)', () => {
    const expected = renderTables(readCsvSource(csv, DEFAULT_CSV_LABEL));
    const actual = readFileSync(TABLES_FILE, 'utf8');
    assert.ok(expected === actual, `tables.ts is stale, run npm run gen:syscalls; ${firstDiff(expected, actual)}`);
  });
  test('src/syscalls/host-syscalls.ts is up to date with syscalls.csv (npm run gen:syscalls)', () => {
    const expected = renderHostSyscalls(readCsvSource(csv, DEFAULT_CSV_LABEL));
    const actual = readFileSync(HOST_FILE, 'utf8');
    assert.ok(expected === actual, `host-syscalls.ts is stale, run npm run gen:syscalls; ${firstDiff(expected, actual)}`);
  });
} else {
  console.log('SKIP: tables.ts staleness: shared/data/syscalls.csv not found in any ancestor of the project');
}

if (ERRNO_HEADERS.every((p) => existsSync(p))) {
  test('src/syscalls/errno-table.ts is up to date with the asm-generic headers', () => {
    const expected = renderErrnoTable(readErrnoHeaders());
    const actual = readFileSync(ERRNO_FILE, 'utf8');
    assert.ok(expected === actual, `errno-table.ts is stale, run npm run gen:syscalls; ${firstDiff(expected, actual)}`);
  });
} else {
  console.log('SKIP: errno-table.ts staleness: /usr/include/asm-generic/errno*.h absent (linux-libc-dev)');
}

test('generator output names no absolute path and is deterministic', () => {
  const text = readFileSync(TABLES_FILE, 'utf8');
  assert.not.match(text, /\/work\//);
  assert.match(text, /Source: \.\.\/shared\/data\/syscalls\.csv/);
  const small = '#syscall (v1.2.3 2020-01-01),' + 'x86,k,x86_64,k,x32,k,arm,k,aarch64,k,loongarch64,k,ppc64,k,riscv64,k,s390x,k';
  const rows = ['zeta,1,K,2,K,3,K,4,K,5,K,6,K,7,K,8,K,9,K', 'alpha,PNR,K,PNR,K,PNR,K,PNR,K,PNR,K,PNR,K,1,K,PNR,K,PNR,K', 'gone,PNR,K,PNR,K,PNR,K,PNR,K,PNR,K,PNR,K,PNR,K,PNR,K,PNR,K'];
  const out = renderTables({ label: 'x.csv', csv: [small, ...rows].join('\n') });
  assert.is(out, renderTables({ label: 'x.csv', csv: [small, rows[1], rows[0], rows[2]].join('\n') }));
  assert.match(out, /\['alpha',\s+PNR,\s+PNR,\s+PNR,\s+PNR,\s+PNR,\s+PNR,\s+PNR,\s+1,\s+PNR\]/);
  assert.match(out, /\['zeta',\s+2,\s+1,\s+3,\s+5,\s+4,\s+8,\s+9,\s+7,\s+6\]/);
  assert.not.match(out, /'gone'/); // on none of our arches
  assert.match(out, /kernel: 'v1\.2\.3 2020-01-01'/);
});

test('generator rejects malformed csv with the line', () => {
  const header = '#syscall (v1),x86,k,x86_64,k,x32,k,arm,k,aarch64,k,loongarch64,k,ppc64,k,riscv64,k,s390x,k';
  assert.throws(() => renderTables({ label: 'x.csv', csv: `${header}\nread,1,K` }), /x\.csv:2: 3 fields/);
  assert.throws(
    () => renderTables({ label: 'x.csv', csv: `${header}\nread,1,K,2,K,3,K,4,K,5,K,6,K,7,K,8,K,-9,K` }),
    /x\.csv:2: bad number '-9'/,
  );
  assert.throws(() => renderTables({ label: 'x.csv', csv: 'name,x86\n' }), /x\.csv:1/);
});

test.run();
