import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { discardEarly, loadPolicyFile, PolicyLoadError, startEarly } from '../../src/loader/policy-file.js';
import { normalize } from '../../src/ir/normalize.js';
import { extensionsOf } from '../../src/loader/extensions.js';

// A directory outside the project, with no node_modules: 'seccompile' must still resolve.
const dir = mkdtempSync(join(tmpdir(), 'seccompile-loader-test-'));
const write = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

write(
  'helper.ts',
  `import { allow, type RuleSpec } from 'seccompile';
export const basics = (): RuleSpec[] => [allow('read', 'write')];
`,
);

test('a TypeScript policy importing seccompile and a local helper', async () => {
  const file = write(
    'good.ts',
    `import { policy, errno, kill, arg, AF_UNIX } from 'seccompile';
import { basics } from './helper.ts';

const family: number = AF_UNIX;
export default policy({
  default: errno('EPERM'),
  arch: ['x86_64'],
  rules: [
    ...basics(),
    errno('EACCES').on('socket').when(arg(0).ne(family)),
    kill().on('ptrace'),
  ],
});
`,
  );
  const { spec, file: loaded } = await loadPolicyFile(file);
  assert.is(loaded, file);
  assert.equal(spec.rules.map((r) => r.syscalls), [['read', 'write'], ['socket'], ['ptrace']]);
  assert.equal(spec.rules[1]!.conditions, [{ arg: 0, op: 'ne', width: 64, value: 1 }]);
  // Locations point into the original sources, not the bundle.
  assert.equal(spec.rules.map((r) => [r.location?.file, r.location?.line]), [
    [join(dir, 'helper.ts'), 2],
    [file, 10],
    [file, 11],
  ]);
  assert.equal([spec.location?.file, spec.location?.line], [file, 5]);
  const r = normalize(spec);
  assert.equal(r.diagnostics, []);
  assert.ok(r.ir);
});

test('a JavaScript policy', async () => {
  const file = write('plain.mjs', `import { policy, allow, kill } from 'seccompile';\nexport default policy({ default: kill(), rules: [allow('exit_group')] });\n`);
  const { spec } = await loadPolicyFile(file);
  assert.equal(spec.rules[0]!.syscalls, ['exit_group']);
  assert.equal(spec.rules[0]!.location, { file, line: 2, column: 50 });
});

async function loadError(file: string): Promise<PolicyLoadError> {
  try {
    await loadPolicyFile(file);
  } catch (e) {
    assert.instance(e, PolicyLoadError);
    return e as PolicyLoadError;
  }
  throw new Error(`${file} loaded`);
}

type Bad = [name: string, file: string, text: string | undefined, code: string, location: [number, number] | undefined, message: RegExp];
const bad: Bad[] = [
  ['syntax error', 'syntax.ts', `import { policy } from 'seccompile';\nexport default policy({\n  default: ,\n});\n`, 'syntax-error', [3, 12], /Unexpected ","/],
  ['unresolvable import', 'missing-import.ts', `import { x } from './nope.ts';\nexport default x;\n`, 'syntax-error', [1, 19], /Could not resolve/],
  ['no default export', 'nodefault.ts', `import { policy, kill } from 'seccompile';\nexport const p = policy({ default: kill(), rules: [] });\n`, 'policy-file', [1, 1], /no default export/],
  ['default export not a policy', 'notpolicy.ts', `export default { rules: [] };\n`, 'policy-file', [1, 1], /not a policy/],
  ['throws while loading', 'throws.ts', `const n: number = 1;\nif (n) throw new Error('boom');\nexport default 1;\n`, 'policy-file', [2, 14], /threw: boom/],
  ['missing file', 'does-not-exist.ts', undefined, 'policy-file', undefined, /does not exist/],
  ['not TypeScript or JavaScript', 'notes.md', '# a policy?\n', 'policy-file', undefined, /notes\.md is not a policy file: .* not '\.md'/],
];
for (const [name, fileName, text, code, location, message] of bad) {
  test(`error: ${name}`, async () => {
    const file = text === undefined ? join(dir, fileName) : write(fileName, text);
    const e = await loadError(file);
    assert.is(e.diagnostics.length, 1);
    const [d] = e.diagnostics;
    assert.is(d!.code, code);
    assert.match(d!.message, message);
    if (location) assert.equal(d!.location, { file, line: location[0], column: location[1] });
    else assert.is(d!.location, undefined);
    assert.ok(e.message.includes(d!.message));
  });
}

test('a file the extension table does not call a module is refused with every module extension named', async () => {
  const e = await loadError(write('profile.json', '{}'));
  const modules = extensionsOf('module');
  assert.ok(modules.length >= 6, modules.join(' '));
  for (const ext of modules) assert.ok(e.message.includes(ext), `${ext} in ${e.message}`);
  // Extensions are matched as written: esbuild has no loader for `.TS`.
  assert.match((await loadError(write('upper.TS', 'export default 1;\n'))).message, /not '\.TS'/);
});

// Inside the checkout: the examples import 'seccompile/policies/default', which resolves where
// seccompile is installed (or from its own checkout), not from a directory outside any project.
const docDir = mkdtempSync(join(fileURLToPath(new URL('../..', import.meta.url)), '.doc-examples-'));

/** Every ```ts block with a default export in the README and the policies page: policy files. */
const DOC_POLICIES = ['README.md', 'docs/policies.md'].flatMap((doc) => {
  const text = readFileSync(new URL(`../../${doc}`, import.meta.url), 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .filter((b) => b.includes('export default '))
    .map((source, i) => ({ doc, i, source }));
});

test('README.md and docs/policies.md have example policies', () => {
  for (const doc of ['README.md', 'docs/policies.md']) {
    assert.ok(DOC_POLICIES.some((p) => p.doc === doc && p.source.includes('export default policy(')), `${doc} has an example policy`);
  }
});

for (const { doc, i, source } of DOC_POLICIES) {
  test(`${doc}: example policy ${i + 1} loads and normalizes without errors`, async () => {
    const file = join(docDir, `${doc.replace(/\W/g, '-')}-${i}.ts`);
    writeFileSync(file, source);
    const { spec } = await loadPolicyFile(file);
    const diagnostics = normalize(spec).diagnostics;
    // extendPolicy's example overrides the base's own socket rule on purpose: the docs say
    // compiling it warns that the base's rule is shadowed.
    const expected = source.includes('extendPolicy(') ? ['shadowed-rule'] : [];
    assert.equal([...new Set(diagnostics.map((d) => d.code))], expected, diagnostics.map((d) => d.message).join('\n'));
  });
}

test.after(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(docDir, { recursive: true, force: true });
});
test('a worker started early serves the next load; one discarded leaves the next load its own', async () => {
  const file = write('early.mjs', `import { policy, allow, kill } from 'seccompile';\nexport default policy({ default: kill(), rules: [allow('exit_group')] });\n`);
  startEarly();
  assert.equal((await loadPolicyFile(file)).spec.rules.map((r) => r.syscalls), [['exit_group']]);
  startEarly();
  discardEarly();
  assert.equal((await loadPolicyFile(file)).spec.rules.map((r) => r.syscalls), [['exit_group']]);
  discardEarly(); // nothing left to discard
});

test.run();
