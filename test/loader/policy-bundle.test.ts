/**
 * The bundle cache of policy files (src/loader/policy-bundle.ts): a valid entry is used (shown by
 * planting a marker in the cached code), and every change that could change the bundle makes a
 * fresh one: the policy's content, an imported file's content, a new file that an import would now
 * resolve to, a tsconfig.json above it. Old entries are pruned. An unsafe cache directory, or
 * SECCOMPILE_CACHE_DIR=off, means no cache at all.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundlePolicy, MAX_ENTRIES } from '../../src/loader/policy-bundle.js';
import { seccompileEntries } from '../../src/loader/entry.js';

const root = mkdtempSync(join(tmpdir(), 'seccompile-bundle-cache-test-'));
const MARK = '/*cached-marker*/';

/** A fresh policy directory and cache directory for one case. */
function fixture(name: string): { dir: string; cache: string; policy: string } {
  const dir = join(root, name, 'policy');
  const cache = join(root, name, 'cache');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'helper.js'), 'export const n = 1;\n');
  const policy = join(dir, 'p.ts');
  writeFileSync(policy, "import { n } from './helper';\nexport default n;\n");
  // Inputs older than the build, so the entry is stored (a file written during a build is not).
  const old = new Date(Date.now() - 60_000);
  for (const f of ['helper.js', 'p.ts']) utimesSync(join(dir, f), old, old);
  return { dir, cache, policy };
}

function entries(cache: string): string[] {
  try {
    return readdirSync(join(cache, 'policies')).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
}

/** Puts MARK into every cached bundle, so a later hit is visible. */
function plantMarker(cache: string): void {
  for (const f of entries(cache)) {
    const path = join(cache, 'policies', f);
    const entry = JSON.parse(readFileSync(path, 'utf8')) as { code: string };
    entry.code = MARK + entry.code;
    writeFileSync(path, JSON.stringify(entry));
  }
}

async function bundle(cacheDir: string, policy: string): Promise<string> {
  const saved = process.env.SECCOMPILE_CACHE_DIR;
  process.env.SECCOMPILE_CACHE_DIR = cacheDir;
  try {
    return (await bundlePolicy(policy, seccompileEntries())).code;
  } finally {
    if (saved === undefined) delete process.env.SECCOMPILE_CACHE_DIR;
    else process.env.SECCOMPILE_CACHE_DIR = saved;
  }
}

test('an unchanged policy is bundled once, then read from the cache', async () => {
  const { cache, policy } = fixture('hit');
  const first = await bundle(cache, policy);
  assert.ok(!first.includes(MARK));
  assert.is(entries(cache).length, 1);
  plantMarker(cache);
  assert.ok((await bundle(cache, policy)).startsWith(MARK), 'second bundle comes from the cache');
});

const changes: Array<[string, (dir: string) => void]> = [
  ['the policy changes', (dir) => writeFileSync(join(dir, 'p.ts'), "import { n } from './helper';\nexport default n + 1;\n")],
  ['an imported file changes', (dir) => writeFileSync(join(dir, 'helper.js'), 'export const n = 2;\n')],
  ['a new file takes over an import (helper.ts before helper.js)', (dir) => writeFileSync(join(dir, 'helper.ts'), 'export const n = 3;\n')],
  ['a tsconfig.json appears above the policy', (dir) => writeFileSync(join(dir, '..', 'tsconfig.json'), '{}\n')],
];

for (const [name, change] of changes) {
  test(`a fresh bundle when ${name}`, async () => {
    const { dir, cache, policy } = fixture(name.replace(/\W+/g, '-'));
    await bundle(cache, policy);
    plantMarker(cache);
    change(dir);
    const again = await bundle(cache, policy);
    assert.ok(!again.includes(MARK), 'the stale cached bundle was used');
  });
}

const unsafe: Array<[string, (cache: string) => void]> = [
  ['writable by others', (cache) => {
    mkdirSync(join(cache, 'policies'), { recursive: true });
    chmodSync(join(cache, 'policies'), 0o777);
  }],
  ['a symlink', (cache) => {
    const real = `${cache}-real`;
    mkdirSync(join(real, 'policies'), { recursive: true, mode: 0o700 });
    mkdirSync(cache, { recursive: true });
    rmSync(cache, { recursive: true });
    // cache -> cache-real: the cache directory's parent is then a symlink.
    symlinkSync(real, cache);
  }],
];

for (const [name, setup] of unsafe) {
  test(`no cache in a directory that is ${name}`, async () => {
    const { cache, policy } = fixture(`unsafe-${name.replace(/\W+/g, '-')}`);
    setup(cache);
    const before = entries(cache).length;
    assert.ok((await bundle(cache, policy)).length > 0);
    assert.is(entries(cache).length, before, 'nothing written');
  });
}

test('the least recently used entries go beyond MAX_ENTRIES', async () => {
  const { cache, policy } = fixture('prune');
  mkdirSync(join(cache, 'policies'), { recursive: true, mode: 0o700 });
  for (let i = 0; i < MAX_ENTRIES; i++) {
    const path = join(cache, 'policies', `old-${String(i).padStart(3, '0')}.json`);
    writeFileSync(path, '{}');
    const t = new Date(Date.now() - 3_600_000 + i * 1000); // old-000 the least recent
    utimesSync(path, t, t);
  }
  await bundle(cache, policy);
  const left = entries(cache);
  assert.is(left.length, MAX_ENTRIES);
  assert.not.ok(left.includes('old-000.json'), 'the oldest entry is gone');
  assert.ok(left.includes(`old-${String(MAX_ENTRIES - 1).padStart(3, '0')}.json`), 'the newest old entry stays');
  assert.ok(left.some((f) => !f.startsWith('old-')), 'the new entry is there');
});

test('SECCOMPILE_CACHE_DIR=off bundles without a cache', async () => {
  const { policy } = fixture('off');
  assert.ok((await bundle('off', policy)).length > 0);
  assert.equal(readdirSync(process.cwd()).filter((f) => f === 'off'), []);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
