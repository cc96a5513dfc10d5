/**
 * The two entries a policy's `import 'seccompile'` may load (src/loader/entry.ts): the policy
 * entry exports a subset of the whole package with the very same values (from source, and in
 * dist/ where both share chunks), and a bundle goes to the whole package whenever it imports
 * anything the policy entry lacks or imports it in any form other than named imports.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as full from '../../src/index.js';
import * as policyApi from '../../src/policy-entry.js';
import { retarget, seccompileEntries } from '../../src/loader/entry.js';
import { bundlePolicy } from '../../src/loader/policy-bundle.js';
import { loadPolicyFile } from '../../src/loader/policy-file.js';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..');

test('every name of the policy entry is exported by the whole package with the same value (source)', () => {
  const names = Object.keys(policyApi);
  assert.ok(names.includes('policy') && names.includes('AF_UNIX') && names.includes('SOCKETCALL'));
  assert.not.ok(names.includes('compile'), 'the compiler stays out of the policy entry');
  for (const name of names) assert.ok((full as Record<string, unknown>)[name] === (policyApi as Record<string, unknown>)[name], name);
});

test('dist/: the policy entry shares the whole package\'s module instances', async () => {
  const dist = (file: string) => import(pathToFileURL(join(root, 'dist', file)).href) as Promise<Record<string, unknown>>;
  const [d, p] = await Promise.all([dist('index.js'), dist('policy-entry.js')]);
  assert.equal(Object.keys(p!).sort(), Object.keys(policyApi).sort());
  for (const name of Object.keys(p!)) assert.ok(d![name] === p![name], name);
});

const P = 'file:///pkg/dist/policy-entry.js';
const F = 'file:///pkg/dist/index.js';
const CASES: ReadonlyArray<readonly [string, string, 'policy' | 'full']> = [
  ['no import of the package', 'var x = 1;\nexport { x as default };\n', 'policy'],
  ['named imports the policy entry has', `import {\n  AF_UNIX,\n  allow,\n  policy\n} from "${P}";\n`, 'policy'],
  ['renamed imports', `import { policy as policy2, arg as arg2 } from "${P}";\n`, 'policy'],
  ['two import statements', `import { policy } from "${P}";\nimport { SOCKETCALL } from "${P}";\n`, 'policy'],
  ['a name only the whole package has', `import { compile, policy } from "${P}";\n`, 'full'],
  ['one of two statements with such a name', `import { policy } from "${P}";\nimport { ARCHES } from "${P}";\n`, 'full'],
  ['a namespace import', `import * as S from "${P}";\n`, 'full'],
  ['a default import', `import S from "${P}";\n`, 'full'],
  ['a dynamic import', `const S = await import("${P}");\n`, 'full'],
  ['a re-export', `export * from "${P}";\n`, 'full'],
  ['a side-effect import', `import "${P}";\n`, 'full'],
];

for (const [name, code, want] of CASES) {
  test(`retarget: ${name} -> ${want}`, () => {
    const r = retarget(code, P, F);
    assert.is(r.entry, want === 'policy' ? P : F);
    if (want === 'policy') assert.is(r.code, code);
    else {
      assert.not.ok(r.code.includes(P), 'no import of the policy entry is left');
      assert.is(r.code, code.split(P).join(F));
    }
  });
}

const dir = mkdtempSync(join(tmpdir(), 'seccompile-entry-test-'));
const write = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const entries = seccompileEntries();
const RULES = "default: errno('EPERM'), arch: ['x86_64'], rules: [allow('read')]";
const POLICIES: ReadonlyArray<readonly [string, string, 'policy' | 'full']> = [
  ['dsl.ts', `import { allow, errno, policy } from 'seccompile';\nexport default policy({ ${RULES} });\n`, 'policy'],
  ['tables.ts', `import { allow, errno, policy, resolveSyscall } from 'seccompile';\nif (resolveSyscall('x86_64', 'read') !== 0) throw new Error('tables');\nexport default policy({ ${RULES} });\n`, 'full'],
  ['namespace.ts', `import * as S from 'seccompile';\nexport default S.policy({ default: S.errno('EPERM'), arch: ['x86_64'], rules: [S.allow('read')] });\n`, 'full'],
  ['dynamic.ts', `const { allow, errno, policy } = await import('seccompile');\nexport default policy({ ${RULES} });\n`, 'full'],
];

for (const [name, text, want] of POLICIES) {
  test(`a policy file (${name}) loads through the ${want === 'policy' ? 'policy entry' : 'whole package'}`, async () => {
    const file = write(name, text);
    const saved = process.env.SECCOMPILE_CACHE_DIR;
    process.env.SECCOMPILE_CACHE_DIR = 'off';
    try {
      assert.is((await bundlePolicy(file, entries)).entry, pathToFileURL(want === 'policy' ? entries.policy : entries.full).href);
    } finally {
      if (saved === undefined) delete process.env.SECCOMPILE_CACHE_DIR;
      else process.env.SECCOMPILE_CACHE_DIR = saved;
    }
    const { spec } = await loadPolicyFile(file);
    assert.equal(spec.rules.map((r) => r.syscalls), [['read']]);
  });
}

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
