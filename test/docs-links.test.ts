/**
 * The documentation's relative links resolve: every `[text](target)` in README.md, docs/*.md and
 * bench/README.md that is not a URL names a file or directory of the checkout, and its
 * `#anchor`, if any, a heading of that Markdown file (GitHub's anchor rules: lower case,
 * punctuation dropped, spaces to hyphens, -1, -2 ... for repeats). Links inside code are not
 * links and are skipped. Also: the README's test-API snippet runs and passes, and every complete
 * policy the README and docs/ show (a ts block that imports and `export default policy(`)
 * compiles without an error.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const DOCS = ['README.md', 'bench/README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** The text outside fenced code blocks and inline code spans. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchor for a heading's text. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor a Markdown file defines. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  const outsideFences = markdown.replace(/^```[\s\S]*?^```/gm, '');
  for (const m of outsideFences.matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

test('the slug rules match the headings the docs link to', () => {
  const cases: [string, string][] = [
    ['Compiling: `seccompile POLICY -o out.bpf`', 'compiling-seccompile-policy--o-outbpf'],
    ['`--json`', '--json'],
    ['Containers: root filesystems, named jails, `jail enter`', 'containers-root-filesystems-named-jails-jail-enter'],
    ['Arches, `badArch`, `newer`', 'arches-badarch-newer'],
    ['Scale and hostile input (`npm run bench -- hostile`)', 'scale-and-hostile-input-npm-run-bench----hostile'],
  ];
  for (const [heading, want] of cases) assert.is(slug(heading), want, heading);
  assert.equal([...anchors('# A\n## A\n```\n# not a heading\n```\n## A\n')], ['a', 'a-1', 'a-2']);
});

test('the README gives the test command CI runs, exactly', () => {
  assert.ok(readFileSync(join(root, 'README.md'), 'utf8').includes('npm ci && npm test'));
  assert.ok(readFileSync(join(root, '.ci/run'), 'utf8').includes('\nnpm ci && npm test\n'));
});

test('there are docs pages for each topic', () => {
  for (const page of ['policies', 'testing', 'oci', 'jail', 'bpf-toolkit', 'security', 'how-it-works', 'development', 'cli']) {
    assert.ok(DOCS.includes(`docs/${page}.md`), page);
  }
});

for (const doc of DOCS) {
  test(`${doc}: relative links resolve`, () => {
    const text = readFileSync(join(root, doc), 'utf8');
    const broken: string[] = [];
    for (const m of prose(text).matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      const [path = '', anchor] = target.split('#', 2);
      const file = path === '' ? join(root, doc) : resolve(dirname(join(root, doc)), path);
      if (!file.startsWith(root) || !existsSync(file)) {
        broken.push(`${target}: no file ${relative(root, file)}`);
        continue;
      }
      if (anchor === undefined) continue;
      if (!file.endsWith('.md')) broken.push(`${target}: an anchor into a file that is not Markdown`);
      else if (!anchors(readFileSync(file, 'utf8')).has(anchor)) broken.push(`${target}: no heading #${anchor} in ${relative(root, file)}`);
    }
    assert.equal(broken, []);
  });
}

test('every complete policy in the README and docs/ compiles', () => {
  const dir = mkdtempSync(join(root, '.docs-policies-'));
  let count = 0;
  try {
    for (const doc of DOCS) {
      const blocks = [...readFileSync(join(root, doc), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
      for (const block of blocks.filter((b) => b.includes('export default policy(') && /^import /m.test(b))) {
        const file = join(dir, `policy-${count++}.ts`);
        writeFileSync(file, block);
        const r = spawnSync(process.execPath, [join(root, 'bin', 'seccompile'), 'compile', file, '-o', `${file}.bpf`], { encoding: 'utf8' });
        assert.is(r.status, 0, `${doc}: ${r.stderr}`);
      }
    }
    assert.ok(count >= 2, `only ${count} policies found`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the README's test-API snippet passes against examples/my-policy.ts", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const snippet = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes("from 'seccompile/testing'"));
  assert.ok(snippet, 'README has a seccompile/testing example');
  // Inside the checkout, so 'seccompile' resolves to this package (its built dist/).
  const dir = mkdtempSync(join(root, '.readme-snippet-'));
  try {
    copyFileSync(join(root, 'examples/my-policy.ts'), join(dir, 'my-policy.ts'));
    const checked = `${snippet!}\nconst r = simulate(myPolicy, { arch: 'x86_64', syscall: 'socket', args: [AF_NETLINK, 3, 0] });\nif (r.action !== 'errno' || r.errno !== 97) throw new Error(JSON.stringify(r));\nconsole.log('snippet ok');\n`;
    writeFileSync(join(dir, 'snippet.ts'), checked);
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'snippet.ts'], { cwd: dir, encoding: 'utf8' });
    assert.is(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /snippet ok/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
