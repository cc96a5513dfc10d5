/**
 * Helpers for tests that run the built `bin/jail` as a real process: run it, build small test
 * filters with the isa helpers, and inspect what a run may leave behind (cgroups, processes).
 * Tests using these need root, namespaces and cgroups (see capabilities.ts).
 */
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode } from '../../src/bpf/encode.js';
import { BPF_CLASS, BPF_JMP_OP, BPF_MODE, BPF_SIZE, jump, stmt, type Insn } from '../../src/bpf/isa.js';
import { SECCOMP_DATA, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS } from '../../src/seccomp/abi.js';
import { hostArch } from '../../src/syscalls/index.js';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const jailBin = join(root, 'bin', 'jail');
export const python = '/usr/bin/python3';

export interface Run {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly pid: number;
}

export interface RunOptions {
  readonly input?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Called with the jail process once it started (to signal it). */
  readonly onSpawn?: (pid: number) => void;
  /** Called with all stdout so far after each chunk (to signal jail once the command is ready). */
  readonly onStdout?: (stdout: string, pid: number) => void;
  /** The same for stderr (to signal jail at a --verbose step). */
  readonly onStderr?: (stderr: string, pid: number) => void;
  /** Run jail as this user (through setpriv) instead of root. */
  readonly asUser?: 'nobody';
}

/** The command line that runs jail, as root or as `user` (setpriv). */
export function jailCommand(args: readonly string[], user?: 'nobody'): [string, string[]] {
  return user ? ['/usr/bin/setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', jailBin, ...args]] : [jailBin, [...args]];
}

/** Runs `bin/jail ...args` to completion. */
export function jail(args: readonly string[], opts: RunOptions = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const [file, argv] = jailCommand(args, opts.asUser);
    const child = spawn(file, argv, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'], ...(opts.asUser ? { cwd: '/' } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      opts.onStdout?.(stdout, child.pid!);
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      opts.onStderr?.(stderr, child.pid!);
    });
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr, pid: child.pid! }));
    // jail (or its command) may exit before reading its input: EPIPE then is not a test failure.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
    opts.onSpawn?.(child.pid!);
  });
}

const { LD, JMP, RET } = BPF_CLASS;
const ldAbs = (offset: number): Insn => stmt(LD | BPF_SIZE.W | BPF_MODE.ABS, offset);
const jeq = (k: number, jt: number, jf: number): Insn => jump(JMP | BPF_JMP_OP.JEQ, k, jt, jf);
const ret = (k: number): Insn => stmt(RET, k);

/**
 * A filter for the host arch: `syscall` with args[0] in `firstArgs` (any args[0] when empty)
 * gets `action`; other syscalls are allowed; other arches are killed.
 */
export function filterFor(syscall: string, firstArgs: readonly number[], action: number): Uint8Array {
  const arch = hostArch();
  const nr = arch.syscalls.get(syscall);
  if (nr === undefined) throw new Error(`no ${syscall} on ${arch.name}`);
  const argLow = SECCOMP_DATA.args + (arch.endian === 'little' ? 0 : 4);
  const tail: Insn[] =
    firstArgs.length === 0
      ? [ret(action)]
      : [ldAbs(argLow), ...firstArgs.map((v, i) => jeq(v, firstArgs.length - i, 0)), ret(SECCOMP_RET_ALLOW), ret(action)];
  const program: Insn[] = [
    ldAbs(SECCOMP_DATA.arch),
    jeq(arch.auditArch, 1, 0),
    ret(SECCOMP_RET_KILL_PROCESS),
    ldAbs(SECCOMP_DATA.nr),
    jeq(nr, 1, 0),
    ret(SECCOMP_RET_ALLOW),
    ...tail,
  ];
  return encode(program, arch.endian);
}

export const EAFNOSUPPORT = 97;
export const AF_INET = 2;
export const AF_INET6 = 10;
/** socket(AF_INET/AF_INET6) fails with EAFNOSUPPORT; everything else allowed. */
/** A python3 program printing one line per socket family: "inet EAFNOSUPPORT" / "unix ok". */
export const SOCKET_PROBE = `
import socket, errno
for name, fam in (("inet", socket.AF_INET), ("inet6", socket.AF_INET6), ("unix", socket.AF_UNIX)):
    try:
        socket.socket(fam, socket.SOCK_STREAM).close(); print(name, "ok")
    except OSError as e:
        print(name, errno.errorcode[e.errno])
`;
/** What SOCKET_PROBE prints when AF_INET and AF_INET6 are denied with EAFNOSUPPORT, AF_UNIX allowed. */
export const NO_INET_OUTPUT = 'inet EAFNOSUPPORT\ninet6 EAFNOSUPPORT\nunix ok\n';

export const noInetFilter = (): Uint8Array => filterFor('socket', [AF_INET, AF_INET6], SECCOMP_RET_ERRNO | EAFNOSUPPORT);
/** socket(AF_INET) kills the process. */
export const killInetFilter = (): Uint8Array => filterFor('socket', [AF_INET], SECCOMP_RET_KILL_PROCESS);

/** A fresh temporary directory for a test file's artefacts. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'jail-test-'));
}

/**
 * A copy of what `bin/jail` runs from (package.json, bin/, dist/, bpf/, koffi and its native
 * module) in a new world-readable directory: another user (nobody) can run it even when the
 * checkout sits in a 0700 directory such as root's home or a `mktemp -d`. Returns its bin/jail.
 */
export function readableJail(): string {
  const dir = tempDir();
  for (const part of ['package.json', 'bin', 'dist', 'bpf', 'node_modules/koffi', 'node_modules/@koromix']) {
    cpSync(join(root, part), join(dir, part), { recursive: true });
  }
  readableByAll(dir);
  return join(dir, 'bin', 'jail');
}

/** chmod a+rX, recursively (a checkout made under umask 077 has 0600 files). */
function readableByAll(path: string): void {
  const st = statSync(path);
  if (st.isDirectory()) {
    chmodSync(path, 0o755);
    for (const name of readdirSync(path)) readableByAll(join(path, name));
  } else if (st.isFile()) {
    chmodSync(path, st.mode & 0o100 ? 0o755 : 0o644);
  }
}

export function writeFilter(dir: string, name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Every cgroup directory a jail run may create, by hierarchy (empty when none left). */
export function jailCgroups(): string[] {
  const out: string[] = [];
  for (const mount of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const sep = mount.indexOf(' - ');
    if (sep < 0) continue;
    const fstype = mount.slice(sep + 3).split(' ')[0];
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue;
    const base = join(mount.split(' ')[4]!, 'seccompile');
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) if (name.startsWith('jail-')) out.push(join(base, name));
  }
  return out;
}

/** Cgroups created by jail processes that are children of this test process. */
export function cgroupsOf(pids: readonly number[]): string[] {
  return jailCgroups().filter((d) => pids.some((p) => d.includes(`/jail-${p}-`)));
}

/** Pids of processes whose command line contains `marker`. */
export function processesWith(marker: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(marker)) out.push(Number(name));
    } catch {
      // Exited meanwhile.
    }
  }
  return out;
}

/**
 * The host's mounts a jail could leak: procfs mounts and the tmpfs tests mount inside jails.
 * (Not the whole table: other programs on the machine may mount things meanwhile.)
 */
export function hostMounts(): string {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => / - proc /.test(l) || l.includes('jailtest'))
    .join('\n');
}

/** A marker unique to this test process, for finding its commands among all processes. */
export const MARKER = `${process.pid % 100000}`;

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
