/**
 * seccompile/testing under the test runners README promises (node:test, jest, vitest; uvu is
 * what this suite and examples/ use): a temporary user project whose node_modules/seccompile is a
 * symlink to this checkout (its built dist/: npm test builds first) runs one user-style test file
 * per runner (test/fixtures/runners/), each with passing expectations and one that fails on
 * purpose. Per runner: the passing tests pass, the failing one fails, the run exits 1, and the
 * output carries the PolicyAssertionError's message (call, arch, expected, actual) as written,
 * placed at the user's failing line, with no frames from inside seccompile.
 *
 * jest and vitest are not dependencies of seccompile: `npm run setup:runners` installs them into
 * .cache/runners (or $SECCOMPILE_RUNNERS_DIR); without them their cases skip, saying so, except
 * in CI, where .ci/run installs them first. The fixtures are plain ES modules importing the
 * built package: seccompile is ESM-only ("exports" has no "require"), so jest runs under
 * `node --experimental-vm-modules` with no transform, which is how jest runs native ESM; vitest
 * and node:test load ES modules as they are. One run per runner keeps this file at a few seconds.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { need } from '../support/capabilities.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = join(root, 'test/fixtures/runners');
const runnersDir = resolve(root, process.env.SECCOMPILE_RUNNERS_DIR ?? '.cache/runners');
const installHint = `run \`npm run setup:runners\` (installs jest and vitest into ${runnersDir}, outside the dependency tree)`;

/** The tests every fixture file has, and what each must come to. */
const OUTCOMES: Readonly<Record<string, 'passed' | 'failed'>> = {
  'sockets: IPv4 yes, netlink EAFNOSUPPORT, on x86_64': 'passed',
  'ptrace kills, unshare is EPERM, on aarch64': 'passed',
  'simulate one call': 'passed',
  'a failure is a PolicyAssertionError': 'passed',
  'deliberately failing: mount is allowed': 'failed',
};

/** The failing expectation's message, line by line, as expect.ts writes it. */
const MESSAGE = [
  'mount() on x86_64: expected allow, got errno(EPERM)',
  '(nr 165, args [0, 0, 0, 0, 0, 0], ret 0x00050001, filter from ./my-policy.ts)',
];

/** The failing expectation in each fixture, as a RegExp source. */
const FAILING_CALL = String.raw`expectPolicy\(myPolicy\)\.on\('x86_64'\)\.allows\('mount'\);`;

type Outcomes = Record<string, string>;

/** jest's --json and vitest's json reporter: jest's result format. */
function jsonOutcomes(file: string): Outcomes {
  const report = JSON.parse(readFileSync(file, 'utf8')) as { testResults: { assertionResults: { title: string; status: string }[] }[] };
  return Object.fromEntries(report.testResults.flatMap((r) => r.assertionResults.map((a) => [a.title, a.status])));
}

/** node:test's TAP: top-level "ok N - title" / "not ok N - title". */
function tapOutcomes(output: string): Outcomes {
  const out: Outcomes = {};
  for (const m of output.matchAll(/^(not )?ok \d+ - (.*)$/gm)) out[m[2]!] = m[1] ? 'failed' : 'passed';
  return out;
}

interface Runner {
  readonly name: string;
  readonly fixture: string;
  /** The runner's entry script in the runners dir, for those installed there. */
  readonly bin?: string;
  /** Node's arguments, run in the project dir. */
  argv(dir: string): string[];
  outcomes(dir: string, output: string): Outcomes;
  /**
   * What else the runner must show: the error's `expected` and `actual` as it presents them, and
   * the user's failing line (`line`, in the fixture) as the place of the failure.
   */
  shows(line: number): RegExp[];
}

const RUNNERS: readonly Runner[] = [
  {
    name: 'node:test',
    fixture: 'node.test.mjs',
    argv: () => ['--test', '--test-reporter=tap', 'node.test.mjs'],
    outcomes: (_dir, output) => tapOutcomes(output),
    shows: (line) => [
      /^\s+name: 'PolicyAssertionError'$/m,
      /^\s+expected: 'allow'$/m,
      /^\s+actual: 'errno\(EPERM\)'$/m,
      new RegExp(`^\\s+stack: \\|-\\n\\s+TestContext\\.<anonymous> \\(file://.*/node\\.test\\.mjs:${line}:\\d+\\)$`, 'm'),
    ],
  },
  {
    name: 'jest',
    fixture: 'jest.test.mjs',
    bin: 'jest/bin/jest.js',
    argv: (dir) => [
      '--experimental-vm-modules',
      join(runnersDir, 'node_modules/jest/bin/jest.js'),
      '--ci',
      '--json',
      '--outputFile=jest-results.json',
      `--cacheDirectory=${join(dir, '.jest-cache')}`,
      'jest.test.mjs',
    ],
    outcomes: (dir) => jsonOutcomes(join(dir, 'jest-results.json')),
    shows: (line) => [
      /● deliberately failing: mount is allowed/,
      /^\s+PolicyAssertionError: mount\(\) on x86_64/m,
      new RegExp(`^\\s+> ${line} \\|\\s+${FAILING_CALL}$`, 'm'),
      new RegExp(`^\\s+at .*\\(jest\\.test\\.mjs:${line}:\\d+\\)$`, 'm'),
    ],
  },
  {
    name: 'vitest',
    fixture: 'vitest.test.mjs',
    bin: 'vitest/vitest.mjs',
    argv: () => [
      join(runnersDir, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--reporter=default',
      '--reporter=json',
      '--outputFile.json=vitest-results.json',
      'vitest.test.mjs',
    ],
    outcomes: (dir) => jsonOutcomes(join(dir, 'vitest-results.json')),
    // vitest diffs an error's `expected` and `actual` properties.
    shows: (line) => [
      /^PolicyAssertionError: mount\(\) on x86_64/m,
      /^Expected: "allow"$/m,
      /^Received: "errno\(EPERM\)"$/m,
      new RegExp(`^\\s+❯ vitest\\.test\\.mjs:${line}:\\d+\\n(.*\\n){2}\\s+${line}\\|\\s+${FAILING_CALL}$`, 'm'),
    ],
  },
];

/** A user's project: package.json (ESM, jest's options), node_modules/seccompile -> this checkout. */
function makeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'seccompile-runners-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules/seccompile'));
  // `import { test } from 'vitest'` in the test file resolves from the project, as it would for a user.
  if (existsSync(join(runnersDir, 'node_modules/vitest'))) symlinkSync(join(runnersDir, 'node_modules/vitest'), join(dir, 'node_modules/vitest'));
  const pkg = { name: 'consumer', type: 'module', private: true, jest: { testEnvironment: 'node', transform: {} } };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  copyFileSync(join(root, 'examples/my-policy.ts'), join(dir, 'my-policy.ts'));
  for (const f of readdirSync(fixtures).filter((n) => n.endsWith('.mjs'))) copyFileSync(join(fixtures, f), join(dir, f));
  return dir;
}

let project: string | undefined;
test.before(() => {
  assert.ok(existsSync(join(root, 'dist/testing.js')), 'dist/ is built (npm run build; npm test builds first)');
  project = makeProject();
});
test.after(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

// Decided before uvu starts, so a SKIP line starts a line of its own.
const present = RUNNERS.filter(
  (r) => !r.bin || need('test-runner', existsSync(join(runnersDir, 'node_modules', r.bin)), `seccompile/testing under ${r.name}`, `${r.name} is not installed: ${installHint}`),
);

for (const runner of present) {
  test(`${runner.name}: passing expectations pass, the failing one fails with its message`, () => {
    const dir = project!;
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: 'true' };
    delete env.FORCE_COLOR; // vitest colours its output under FORCE_COLOR=0 (what scripts/test.mjs sets)
    delete env.NODE_OPTIONS; // tsx's loader is this suite's business, not the user project's
    const r = spawnSync(process.execPath, runner.argv(dir), { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
    const output = `${r.stdout}\n${r.stderr}`;
    const context = `${runner.name} output:\n${output}`;
    assert.is(r.status, 1, `a failing test makes the run exit 1\n${context}`);
    assert.equal(runner.outcomes(dir, output), OUTCOMES, context);
    // The message as written: both lines, the second right under the first (indented or not).
    const lines = output.split('\n').map((l) => l.trim());
    const at = lines.findIndex((l) => l.endsWith(MESSAGE[0]!));
    assert.ok(at >= 0, `the message's first line is shown\n${context}`);
    assert.is(lines[at + 1], MESSAGE[1], `the message's second line follows it\n${context}`);
    // The place shown is the user's line, with none of seccompile's own frames around it.
    const calls = readFileSync(join(dir, runner.fixture), 'utf8').split('\n').map((l) => new RegExp(FAILING_CALL).test(l));
    const line = calls.lastIndexOf(true) + 1;
    for (const re of runner.shows(line)) assert.match(output, re, context);
    assert.not.match(output, /src\/testing\/|dist\/chunks\/|\[object Object\]|serialize a BigInt/, context);
  });
}

test.run();
