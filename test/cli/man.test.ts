/**
 * The man pages under man/ must be what scripts/gen-man.ts renders from the built CLIs' --help
 * texts (npm test builds first), and package.json must ship them. A stale page fails with a diff
 * and the command that regenerates it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Assertion } from 'uvu/assert';
import { lines } from 'uvu/diff';
import { FIX, ROOT, helpToRoff, renderManPages, roffEscape } from '../../scripts/gen-man.js';

test('roff escaping: backslashes, minus signs, a leading control character', () => {
  const cases: [string, string][] = [
    ['--json', '\\-\\-json'],
    ['a\\b', 'a\\eb'],
    ['.hidden', '\\&.hidden'],
    ["'quoted'", "\\&'quoted'"],
    ['plain text', 'plain text'],
  ];
  for (const [input, want] of cases) assert.is(roffEscape(input), want, input);
});

test('help text to roff: prose filled, indented lines and usage kept verbatim', () => {
  const help = 'Usage: x [-o F]\n       x COMMAND\n\nDoes a thing\nwell.\n\nOptions:\n  -o F   out\n';
  assert.is(helpToRoff(help), ['.nf', 'Usage: x [\\-o F]', '       x COMMAND', '.fi', '.PP', 'Does a thing', 'well.', '.PP', 'Options:', '.nf', '  \\-o F   out', '.fi'].join('\n'));
});

const pages = renderManPages();

test('both pages, with every subcommand', () => {
  assert.equal(pages.map((p) => p.path), ['man/seccompile.1', 'man/jail.1']);
  const [seccompile, jail] = pages.map((p) => p.content);
  for (const sub of ['compile', 'validate', 'disasm', 'asm', 'eval', 'wasm', 'diff', 'verify', 'test', 'explain', 'syscalls']) {
    assert.ok(seccompile!.includes(`\n.SS seccompile ${sub}\n`), sub);
  }
  for (const sub of ['ps', 'enter', 'stop', 'doctor']) assert.ok(jail!.includes(`\n.SS jail ${sub}\n`), sub);
  assert.not.match(jail!, /Here: /);
});

for (const page of pages) {
  test(`${page.path} is up to date`, () => {
    const file = join(ROOT, page.path);
    if (!existsSync(file)) throw new Assertion({ message: `${page.path} is missing: ${FIX}`, operator: 'golden', expects: page.path, actual: undefined });
    const have = readFileSync(file, 'utf8');
    if (have === page.content) return;
    throw new Assertion({ message: `${page.path} is stale: ${FIX}`, operator: 'golden', expects: page.content, actual: have, details: lines(page.content, have, 1) });
  });
}

test('package.json ships the pages (man, files)', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { man: string[]; files: string[] };
  assert.equal(pkg.man, pages.map((p) => `./${p.path}`));
  assert.ok(pkg.files.includes('man/*.1'), pkg.files.join(', '));
});

test.run();
