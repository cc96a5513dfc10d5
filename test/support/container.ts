/**
 * Helpers for the container tests of jail: a busybox root filesystem built from
 * Debian's busybox-static, a private state directory per test process (SECCOMPILE_STATE_DIR),
 * and waiting for a named jail to run. Tests using these need root and namespaces.
 */
import { existsSync, mkdirSync, copyFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { jail, sleep, tempDir, type Run } from './jail.js';

export const BUSYBOX = '/bin/busybox';
export const BUSYBOX_APPLETS = ['sh', 'ls', 'cat', 'ps', 'hostname', 'mount', 'touch', 'echo', 'sleep', 'grep', 'head', 'wc', 'id'] as const;

export function hasBusybox(): boolean {
  return existsSync(BUSYBOX);
}

/** A root filesystem in a fresh temporary directory: /bin/busybox and its applets as symlinks. */
export function busyboxRoot(dir: string = tempDir()): string {
  const root = join(dir, 'rootfs');
  mkdirSync(join(root, 'bin'), { recursive: true });
  copyFileSync(BUSYBOX, join(root, 'bin', 'busybox'));
  for (const applet of BUSYBOX_APPLETS) symlinkSync('busybox', join(root, 'bin', applet));
  return root;
}

/** The environment for jail runs with a registry of this test process's own. */
export function stateEnv(): NodeJS.ProcessEnv {
  return { ...process.env, SECCOMPILE_STATE_DIR: join(tempDir(), 'state'), PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
}

/** A name unique to this test process. */
export function uniqueName(base: string): string {
  return `${base}-${process.pid}`;
}

export interface PsEntry {
  readonly name: string;
  readonly state: 'starting' | 'running';
  readonly supervisor: { pid: number; starttime: string };
  readonly command?: { pid: number; starttime: string };
  readonly cgroup?: { dirs: string[] };
  readonly usage?: { memory?: number; memorySource: string; tasks: number };
}

export async function psJson(env: NodeJS.ProcessEnv): Promise<PsEntry[]> {
  const r = await jail(['ps', '--json'], { env });
  if (r.status !== 0) throw new Error(`jail ps --json: ${r.status} ${r.stderr}`);
  return JSON.parse(r.stdout) as PsEntry[];
}

/** Waits (up to ~20 s on a loaded machine) until `name` runs its command; throws if `run` ended first. */
export async function waitRunning(name: string, env: NodeJS.ProcessEnv, run?: { done: boolean; result?: Run }): Promise<PsEntry> {
  for (let i = 0; i < 400; i++) {
    if (run?.done) throw new Error(`jail ${name} ended before running: ${run.result?.status} ${run.result?.stderr}`);
    const entry = (await psJson(env)).find((e) => e.name === name && e.state === 'running');
    if (entry) return entry;
    await sleep(50);
  }
  throw new Error(`jail ${name} did not start`);
}

/** Starts `jail ...args` in the background; `done`/`result` are set when it ends. */
export function background(args: readonly string[], env: NodeJS.ProcessEnv): { done: boolean; result?: Run; pid?: number; ended: Promise<Run> } {
  const handle: { done: boolean; result?: Run; pid?: number; ended: Promise<Run> } = { done: false, ended: undefined as unknown as Promise<Run> };
  handle.ended = jail(args, { env, onSpawn: (pid) => (handle.pid = pid) }).then((r) => {
    handle.done = true;
    handle.result = r;
    return r;
  });
  return handle;
}
