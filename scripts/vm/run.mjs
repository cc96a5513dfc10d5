// npm run test:kernels: the kernel-facing tests on a stock Debian kernel in a QEMU VM, for what
// the host's kernel may lack (a cgroup v2 hierarchy with memory, pids and cpu; x32; IA-32
// emulation). Installs nothing: it uses the installed linux-image-amd64 (/boot/vmlinuz-* and
// its /lib/modules), qemu-system-x86 and busybox-static. What it makes (initramfs, scripts,
// compiled probes) goes into one temporary directory, removed at the end; the VM sees the
// host's root read-only (9p) under an overlay held in the VM's memory. Besides that directory,
// only `npm run build` (dist/) writes to the host.
//
// Usage: node scripts/vm/run.mjs [--no-build] [TEST-FILE ...]   (default: KERNEL_TESTS)
// Environment: SECCOMPILE_VM_KERNEL (a vmlinuz path), SECCOMPILE_VM_BOOT_TIMEOUT and
// SECCOMPILE_VM_TIMEOUT (seconds: until the tests start, and for the whole run),
// SECCOMPILE_VM_KEEP=1 (keep the temporary directory).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QEMU, boot } from './boot.mjs';
import { guestScript, initScript } from './guest.mjs';
import { buildInitramfs } from './initramfs.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The test files that need the kernel's cgroup v2, x32 and IA-32 paths: the compiled filters
 * against the kernel through every ABI; net-off and kill reports through every ABI; the cgroup
 * v2 limits and reports; cleanup on v2. The rest (the kernel's BPF validator and interpreter,
 * jail's other tests) behaves the same on every kernel and ABI, and runs on the host only.
 */
export const KERNEL_TESTS = [
  'test/kernel/compiler.test.ts',
  'test/cli/jail-abis.test.ts',
  'test/cli/jail-cgroups.test.ts',
  'test/cli/jail-delegated.test.ts',
  'test/cli/jail-cleanup.test.ts',
  'test/cli/jail-cleanup-sequential.test.ts',
];

/** What the tests inside may count on: a skip for any of them fails (test/support/capabilities.ts). */
const KERNEL_FEATURES = 'ia32,x32,cgroup-v2';

/** A reason to stop, printed as one line; thrown so that the temporary directory is removed first. */
class Failure extends Error {}
const fail = (message) => {
  throw new Failure(message);
};
const log = (message) => console.log(`test:kernels: ${message}`);

function seconds(name, fallback) {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0) fail(`${name}=${process.env[name]}: expected a number of seconds`);
  return v;
}

/** The kernel to boot: SECCOMPILE_VM_KERNEL, else the newest /boot/vmlinuz-V that has /lib/modules/V. */
function findKernel() {
  const pick = process.env.SECCOMPILE_VM_KERNEL;
  const candidates = pick
    ? [pick]
    : readdirSync('/boot')
        .filter((n) => n.startsWith('vmlinuz-'))
        .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))
        .map((n) => `/boot/${n}`);
  for (const kernel of candidates) {
    const version = basename(kernel).replace(/^vmlinuz-/, '');
    const modules = `/lib/modules/${version}`;
    if (existsSync(kernel) && existsSync(`${modules}/modules.dep`)) return { kernel, version, modules };
  }
  return fail(pick
    ? `${pick} or its /lib/modules/<version>/modules.dep not found`
    : 'no /boot/vmlinuz-* with its /lib/modules: install linux-image-amd64 (apt-get install linux-image-amd64)');
}

/** True when `file` is a 64-bit ELF file without a program interpreter (statically linked). */
function isStaticElf(file) {
  const b = readFileSync(file);
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2) return false;
  const phoff = Number(b.readBigUInt64LE(32));
  const phentsize = b.readUInt16LE(54);
  const phnum = b.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) if (b.readUInt32LE(phoff + i * phentsize) === 3) return false; // PT_INTERP
  return true;
}

function checkHost() {
  if (process.platform !== 'linux' || process.arch !== 'x64') fail(`runs on x86_64 Linux only (this is ${process.platform}/${process.arch})`);
  if (process.getuid?.() !== 0) fail('needs root: the tests inside start jails, and /boot/vmlinuz-* is readable by root only');
  if (spawnSync(QEMU, ['--version'], { stdio: 'ignore' }).status !== 0) fail(`${QEMU} not found: install qemu-system-x86 (apt-get install qemu-system-x86)`);
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
  if (!busybox || !isStaticElf(busybox)) fail('a static busybox is needed for the initramfs: install busybox-static');
  return busybox;
}

function run(cmd, args, what, env = process.env) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) fail(`${what} failed (${cmd} ${args.join(' ')})`);
}

/** Writes the guest script and the initramfs into `work`; returns the initramfs path. */
function prepare({ work, busybox, modules, tests, build }) {
  // Node and gcc are ~10x slower in the VM: build dist/ and the C probes here, before it boots.
  if (build) run('npm', ['run', '--silent', 'build'], 'npm run build');
  const probes = join(work, 'probes');
  // No tsx transform cache: nothing but dist/ and `work` is written on the host.
  const noCache = { ...process.env, TSX_DISABLE_CACHE: '1' };
  run(process.execPath, ['--import', 'tsx', join(root, 'test/support/c-probe.ts'), probes], 'building the C probes', noCache);
  const guest = join(work, 'guest.sh');
  const env = {
    SECCOMPILE_STRICT_SKIPS: '1',
    SECCOMPILE_KERNEL_FEATURES: KERNEL_FEATURES,
    SECCOMPILE_PROBE_DIR: probes,
    SECCOMPILE_EMULATED: '1',
    TEST_JOBS: '2',
  };
  writeFileSync(guest, guestScript({ project: root, node: process.execPath, busybox, files: tests, env }));
  const { archive, modules: loaded } = buildInitramfs({ busybox, moduleDir: modules, init: initScript(guest) });
  const initrd = join(work, 'initramfs.cpio');
  writeFileSync(initrd, archive);
  return { initrd, loaded };
}

async function main() {
  const argv = process.argv.slice(2);
  const build = !argv.includes('--no-build');
  const files = argv.filter((a) => a !== '--no-build');
  const tests = files.length > 0 ? files : KERNEL_TESTS;
  for (const t of tests) if (!existsSync(join(root, t)) || !t.endsWith('.test.ts')) fail(`${t}: not a test file of this project`);
  const busybox = checkHost();
  const { kernel, version, modules } = findKernel();
  const bootTimeout = seconds('SECCOMPILE_VM_BOOT_TIMEOUT', 300);
  const totalTimeout = seconds('SECCOMPILE_VM_TIMEOUT', 1200);

  const t0 = Date.now();
  const elapsed = () => `${Math.round((Date.now() - t0) / 1000)} s`;
  const work = mkdtempSync(join(tmpdir(), 'seccompile-vm-'));
  chmodSync(work, 0o755); // the probes in it stay usable by tests that drop root
  let qemu;
  const cleanup = () => {
    if (qemu && qemu.exitCode === null && qemu.signalCode === null) qemu.kill('SIGKILL');
    if (process.env.SECCOMPILE_VM_KEEP === '1') log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  };
  const interrupted = (signal) => {
    cleanup();
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);

  let outcome;
  try {
    const { initrd, loaded } = prepare({ work, busybox, modules, tests, build });
    log(`booting ${kernel} (modules: ${loaded.join(' ')}) for ${tests.length} test file(s)`);
    const booted = Date.now();
    outcome = await boot({
      kernel,
      initrd,
      bootTimeout,
      totalTimeout,
      log: (m) => log(`${m} (${Math.round((Date.now() - booted) / 1000)} s after booting)`),
      onSpawn: (child) => (qemu = child),
    });
  } finally {
    cleanup();
  }

  if (outcome.results.length > 0) {
    log(`${outcome.results.length} of ${tests.length} file(s) ran in the VM (kernel ${version}); ${elapsed()} in all:`);
    for (const r of outcome.results) console.log(`  ${r}`);
  }
  if (outcome.skips.length > 0) log(`${outcome.skips.length} skip(s) where nothing may skip:\n  ${outcome.skips.join('\n  ')}`);
  if (outcome.error) fail(outcome.error);
  if (outcome.status !== 0) fail(`the tests failed in the VM (status ${outcome.status})`);
  if (outcome.skips.length > 0) fail('a test skipped in the VM');
  if (outcome.results.length !== tests.length) fail(`${outcome.results.length} of ${tests.length} test files reported a result`);
  log(`passed (${elapsed()})`);
}

main().catch((e) => {
  console.error(`test:kernels: ${e instanceof Failure ? e.message : e.stack}`);
  process.exitCode = 1;
});
