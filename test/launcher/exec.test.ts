/** Command lookup as execvp does it, with the exit status each failure maps to. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PATH, pathOf, resolveCommand } from '../../src/launcher/init/exec.js';
import { LaunchError } from '../../src/launcher/launch-error.js';

const dir = mkdtempSync(join(tmpdir(), 'jail-exec-'));
mkdirSync(join(dir, 'a'));
mkdirSync(join(dir, 'b'));
writeFileSync(join(dir, 'a', 'tool'), '');
chmodSync(join(dir, 'a', 'tool'), 0o644);
writeFileSync(join(dir, 'b', 'tool'), '#!/bin/sh\n');
chmodSync(join(dir, 'b', 'tool'), 0o755);
const path = `${dir}/a:${dir}/b`;

const exitOf = (f: () => unknown): number => {
  try {
    f();
  } catch (e) {
    if (e instanceof LaunchError) return e.exitCode;
    throw e;
  }
  return 0;
};

test('PATH: the first executable match wins over a non-executable earlier one', () => {
  assert.is(resolveCommand('s', 'tool', path), `${dir}/b/tool`);
});

test('a name with a slash is a path; PATH is not searched', () => {
  assert.is(resolveCommand('s', `${dir}/b/tool`, '/nonexistent'), `${dir}/b/tool`);
});

const failures: Array<[string, string, string, number]> = [
  ['not found on PATH', 'no-such-tool', path, 127],
  ['found only without x permission', 'tool', `${dir}/a`, 126],
  ['missing path', `${dir}/nope`, path, 127],
  ['a directory', dir, path, 126],
  ['empty name', '', path, 127],
];
for (const [name, file, p, status] of failures) test(`${name} -> ${status}`, () => assert.is(exitOf(() => resolveCommand('s', file, p)), status));

test("pathOf: the command's PATH, else the default", () => {
  assert.is(pathOf(['A=1', 'PATH=/x:/y']), '/x:/y');
  assert.is(pathOf(['A=1']), DEFAULT_PATH);
});

test.run();
