// Runs every test/**/*.test.ts in its own Node process (seccomp filters stack and namespaces
// stick to a process, so suites must not share one), a few at a time, and prints a summary.
// Files that start real jails, or that contain the line `// test-runner: serial`, run one at a
// time after the others: they watch wall-clock behaviour (timeouts, CPU shares, cleanup) and
// machine-wide state (the kernel log, cgroup trees) that parallel suites disturb.
// Usage: node scripts/test.mjs [path-substring ...]
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const filters = process.argv.slice(2);

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const files = collect(join(root, 'test')).filter(
  (f) => filters.length === 0 || filters.some((p) => relative(root, f).includes(p)),
);
const isSerial = (file) =>
  /(^|\/)test\/cli\/jail-[^/]*\.test\.ts$/.test(file) || /^\/\/ test-runner: serial$/m.test(readFileSync(file, 'utf8'));
const parallelFiles = files.filter((f) => !isSerial(f));
const serialFiles = files.filter(isSerial);
const concurrency = Number(process.env.TEST_JOBS ?? Math.max(2, availableParallelism()));

function runFile(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code, signal) => {
      resolve({ file: relative(root, file), code, signal, output, ms: Date.now() - started });
    });
  });
}

const results = [];
let next = 0;
let queue = parallelFiles;
async function worker() {
  while (next < queue.length) {
    const file = queue[next++];
    const r = await runFile(file);
    results.push(r);
    const ok = r.code === 0;
    // A skip inside a test follows uvu's progress marks on the same line.
    const skips = r.output.split('\n').flatMap((l) => /SKIP: .*/.exec(l) ?? []);
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${r.file} (${(r.ms / 1000).toFixed(1)}s)`);
    for (const s of skips) console.log(`     ${s}`);
    if (!ok) console.log(r.output.replace(/^/gm, '     | '));
  }
}
const t0 = Date.now();
await Promise.all(Array.from({ length: Math.min(concurrency, parallelFiles.length) }, worker));
if (serialFiles.length) console.log(`-- ${serialFiles.length} file(s) one at a time --`);
queue = serialFiles;
next = 0;
await worker();
const failed = results.filter((r) => r.code !== 0);
console.log(
  `\n${results.length - failed.length}/${results.length} test files passed in ${((Date.now() - t0) / 1000).toFixed(1)}s`,
);
// The plain summary line CI systems read.
console.log(`files: ${results.length - failed.length} passed, ${failed.length} failed`);
if (files.length === 0) {
  console.log('no test files matched');
  process.exit(1);
}
if (failed.length) {
  console.log(`failed: ${failed.map((r) => r.file).join(', ')}`);
  process.exit(1);
}
