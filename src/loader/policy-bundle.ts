/**
 * Bundles a policy file with esbuild, through a cache keyed on content: starting esbuild (its
 * module and its service process) and bundling cost 40-100 ms, more than everything else a
 * compile of a .ts policy does. A cached bundle is used only when every file esbuild read for it
 * still has the same content (the entry keeps each file's bytes and compares them all), every
 * directory holding one is unchanged (mtime: a file added next to an import could change what the
 * import resolves to), and every tsconfig.json, jsconfig.json and package.json above them is the
 * same or still absent, for the same esbuild version, options and `seccompile` entries. Anything
 * else, or any doubt, bundles afresh.
 *
 * `import 'seccompile'` stays an import of this package (./entry.ts): of its policy entry when
 * that has every name the policy imports, else of the whole package; the entry is part of the
 * cached bundle.
 *
 * Where: $SECCOMPILE_CACHE_DIR, else $XDG_CACHE_HOME/seccompile, else ~/.cache/seccompile, under
 * policies/. The cache directory is used only if it is a real directory (not a symlink) owned by
 * this user and writable by nobody else; it is created 0700, entries are written 0600 under a
 * temporary name and renamed into place; the least recently used beyond MAX_ENTRIES are removed.
 * SECCOMPILE_CACHE_DIR=off turns the cache off.
 *
 * No node:crypto: loading it costs ~5 ms of CPU, a tenth of a cached compile. An entry's name is
 * a 64-bit FNV-1a of its key, and the entry holds the key itself, which must match in full.
 */
import { lstat, mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import { retarget, type SeccompileEntries } from './entry.js';

export interface PolicyBundle {
  readonly code: string;
  /** The source map (JSON text). */
  readonly map: string;
  /** The file URL of the entry the bundle imports as 'seccompile' (one of the SeccompileEntries). */
  readonly entry: string;
}

/** Changes whenever the bundle options below or the entry format change. */
const FORMAT = 'policy-bundle/3 esm node20 external-map policy-entry contents';
const WATCHED_CONFIGS = ['tsconfig.json', 'jsconfig.json', 'package.json'];
/** Entries kept; beyond this the least recently used go (each policy path has its own entry). */
export const MAX_ENTRIES = 256;

interface Entry {
  readonly key: string;
  /** File -> its content (base64), or null for a file that must stay absent. */
  readonly files: Readonly<Record<string, string | null>>;
  /** Directory -> mtimeMs. */
  readonly dirs: Readonly<Record<string, number>>;
  readonly code: string;
  readonly map: string;
  readonly entry: string;
}

/** FNV-1a, 64-bit, of the UTF-16 code units of `text`, as 16 hex digits: a file name, not a check. */
function fnv1a64(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) h = ((h ^ BigInt(text.charCodeAt(i))) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16).padStart(16, '0');
}

function seccompilePlugin(entry: string): Plugin {
  return {
    name: 'seccompile-self',
    setup(build) {
      build.onResolve({ filter: /^seccompile$/ }, () => ({ path: pathToFileURL(entry).href, external: true }));
    },
  };
}

/** The cache directory, created and checked; undefined when off or unsafe. */
async function cacheDir(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (env.SECCOMPILE_CACHE_DIR === 'off' || typeof process.getuid !== 'function') return undefined;
  const base = env.SECCOMPILE_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'seccompile');
  const dir = join(resolve(base), 'policies');
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    for (const d of [dirname(dir), dir]) {
      const s = await lstat(d);
      if (!s.isDirectory() || s.uid !== process.getuid() || (s.mode & 0o022) !== 0) return undefined;
    }
    return dir;
  } catch {
    return undefined;
  }
}

async function content(file: string): Promise<string | null> {
  try {
    return (await readFile(file)).toString('base64');
  } catch {
    return null;
  }
}

async function mtime(dir: string): Promise<number | undefined> {
  return (await stat(dir).catch(() => undefined))?.mtimeMs;
}

/** What must stay the same for a bundle of these inputs to stay valid. */
async function snapshot(inputs: readonly string[]): Promise<Pick<Entry, 'files' | 'dirs'>> {
  const files: Record<string, string | null> = {};
  const dirs: Record<string, number> = {};
  for (const file of inputs) files[file] = await content(file);
  for (const dir of new Set(inputs.map((f) => dirname(f)))) {
    const m = await mtime(dir);
    if (m !== undefined) dirs[dir] = m;
    for (let d = dir; ; d = dirname(d)) {
      for (const name of WATCHED_CONFIGS) {
        const path = join(d, name);
        if (!(path in files)) files[path] = await content(path);
      }
      if (dirname(d) === d) break;
    }
  }
  return { files, dirs };
}

async function stillValid(entry: Entry): Promise<boolean> {
  const same = await Promise.all([
    ...Object.entries(entry.files).map(async ([file, bytes]) => (await content(file)) === bytes),
    ...Object.entries(entry.dirs).map(async ([dir, m]) => (await mtime(dir)) === m),
  ]);
  return same.every(Boolean);
}

/** esbuild's version, read from its package.json (importing esbuild is what the cache avoids). */
async function esbuildVersion(): Promise<string> {
  const pkg = createRequire(import.meta.url).resolve('esbuild/package.json');
  return (JSON.parse(await readFile(pkg, 'utf8')) as { version: string }).version;
}

/**
 * The bundle of the policy at `file` (absolute), with `import 'seccompile'` left as an import of
 * one of `entries` (see ./entry.ts); from the cache when valid. esbuild's errors are thrown as
 * esbuild throws them.
 */
export async function bundlePolicy(file: string, entries: SeccompileEntries): Promise<PolicyBundle> {
  const dir = await cacheDir();
  const key = dir ? JSON.stringify([FORMAT, await esbuildVersion(), file, entries.full, entries.policy]) : '';
  const path = dir ? join(dir, `${fnv1a64(key)}.json`) : '';
  if (dir) {
    const cached = await readFile(path, 'utf8')
      .then((t) => JSON.parse(t) as Entry)
      .catch(() => undefined);
    const fields =
      cached &&
      typeof cached.code === 'string' &&
      typeof cached.map === 'string' &&
      typeof cached.entry === 'string' &&
      typeof cached.files === 'object' &&
      cached.files !== null &&
      typeof cached.dirs === 'object' &&
      cached.dirs !== null;
    const known = [pathToFileURL(entries.policy).href, pathToFileURL(entries.full).href];
    if (fields && cached.key === key && known.includes(cached.entry) && (await stillValid(cached))) {
      const now = new Date();
      await utimes(path, now, now).catch(() => undefined); // recently used: pruned last
      return { code: cached.code, map: cached.map, entry: cached.entry };
    }
  }
  const started = Date.now();
  const esbuild = await import('esbuild');
  const workDir = dirname(file);
  const result = await esbuild.build({
    absWorkingDir: workDir,
    entryPoints: [file],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    outfile: join(workDir, 'policy.bundle.mjs'),
    sourcemap: 'external',
    sourcesContent: false,
    logLevel: 'silent',
    metafile: true,
    plugins: [seccompilePlugin(entries.policy)],
  });
  const bundled = result.outputFiles.find((f) => f.path.endsWith('.mjs'))!.text;
  const { code, entry } = retarget(bundled, pathToFileURL(entries.policy).href, pathToFileURL(entries.full).href);
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'))!.text;
  const made: PolicyBundle = { code, map, entry };
  if (dir) await store(path, key, Object.keys(result.metafile.inputs).map((f) => resolve(workDir, f)), made, started);
  return made;
}

/** Writes a cache entry, unless an input changed while esbuild read it. Failures only cost the cache. */
async function store(path: string, key: string, inputs: readonly string[], bundle: PolicyBundle, started: number): Promise<void> {
  try {
    for (const f of inputs) if ((await stat(f)).mtimeMs >= started - 1) return;
    const entry: Entry = { key, ...(await snapshot(inputs)), code: bundle.code, map: bundle.map, entry: bundle.entry };
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(entry), { mode: 0o600, flag: 'wx' });
    await rename(tmp, path);
    await prune(dirname(path));
  } catch {
    // A full disk or a racing writer: the next run bundles again.
  }
}

/** Removes the least recently used entries beyond MAX_ENTRIES. */
async function prune(dir: string): Promise<void> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json'));
  if (names.length <= MAX_ENTRIES) return;
  const aged = await Promise.all(names.map(async (n) => ({ path: join(dir, n), mtime: (await stat(join(dir, n)).catch(() => undefined))?.mtimeMs ?? 0 })));
  aged.sort((a, b) => a.mtime - b.mtime);
  for (const e of aged.slice(0, aged.length - MAX_ENTRIES)) await unlink(e.path).catch(() => undefined);
}
