/**
 * bin/seccompile sets NODE_EXTRA_CA_CERTS aside for its own Node (reading the bundle is a large
 * part of every Node start) and gives it back first thing, so code it runs (a policy file here)
 * and processes it starts see the user's environment. Needs a built dist/.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'seccompile-env-test-'));
const policy = join(dir, 'env.ts');
writeFileSync(
  policy,
  `import { policy, allow, kill } from 'seccompile';
process.stderr.write(\`CA=\${process.env.NODE_EXTRA_CA_CERTS ?? 'unset'} S=\${process.env.SECCOMPILE_NODE_EXTRA_CA_CERTS ?? 'unset'}\\n\`);
export default policy({ default: kill(), arch: ['x86_64'], rules: [allow('read')] });
`,
);

const cases: Array<[string, Record<string, string>, string]> = [
  ['set: given back', { NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem' }, 'CA=/nonexistent/ca.pem S=unset'],
  ['unset: stays unset, a stale set-aside copy is dropped', { SECCOMPILE_NODE_EXTRA_CA_CERTS: 'stale' }, 'CA=unset S=unset'],
];

for (const [name, extra, want] of cases) {
  test(`NODE_EXTRA_CA_CERTS ${name}`, () => {
    const env: NodeJS.ProcessEnv = { ...process.env, SECCOMPILE_CACHE_DIR: 'off', ...extra };
    if (!('NODE_EXTRA_CA_CERTS' in extra)) delete env.NODE_EXTRA_CA_CERTS;
    const r = spawnSync(join(root, 'bin', 'seccompile'), [policy, '-o', join(dir, 'out.bpf')], { env, encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stderr.trim(), want);
    // Node itself never saw the bundle: it warns about a certificate file it cannot read.
    assert.not.match(r.stderr, /Ignoring extra certs/);
  });
}

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
