// Boots the VM and follows its serial console: every line is echoed as it comes, the marker
// lines of scripts/vm/guest.mjs are read (UP when the tests start, EXIT <status> at the end),
// and the runner's per-file lines ("ok   FILE", "FAIL FILE", "SKIP: ...") are collected for the
// summary. QEMU is killed when the tests have not started within `bootTimeout` seconds or the
// run takes longer than `totalTimeout`; its only output is the console.
import { spawn } from 'node:child_process';
import { EXIT, MARK, UP } from './guest.mjs';

export const QEMU = 'qemu-system-x86_64';

/** The serial console ends lines with \r\n; SeaBIOS and the kernel may send escapes. */
const strip = (raw) => raw.replace(/\r$/, '').replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1bc/g, '');

/**
 * TCG, not KVM: on hosts that are themselves VMs, a KVM guest may hang at boot (nested
 * virtualization); TCG is slower but runs anywhere. `syscall.x32=y` turns on the x32 ABI, which
 * Debian builds in but leaves off by default. `panic=-1` with -no-reboot ends QEMU on a panic
 * (also when /init dies) instead of hanging. The host's root is exported read-only.
 */
export function qemuArgs({ kernel, initrd }) {
  return [
    '-accel', 'tcg', '-cpu', 'max', '-m', '2048', '-smp', '2',
    '-nographic', '-monitor', 'none', '-no-reboot', '-nic', 'none',
    '-kernel', kernel, '-initrd', initrd,
    '-append', 'console=ttyS0 panic=-1 quiet loglevel=2 syscall.x32=y rdinit=/init',
    '-virtfs', 'local,path=/,mount_tag=host,security_model=passthrough,readonly=on,multidevs=remap',
  ];
}

/**
 * Runs the VM to its end. Resolves { status } (the tests' exit status) or { error }, with
 * `results` (["ok FILE" | "FAIL FILE"]) and `skips` either way. `log` gets the host's own lines.
 */
export function boot({ kernel, initrd, bootTimeout, totalTimeout, log, onSpawn }) {
  return new Promise((resolve) => {
    const qemu = spawn(QEMU, qemuArgs({ kernel, initrd }), { stdio: ['ignore', 'pipe', 'pipe'] });
    onSpawn?.(qemu);
    const results = [];
    const skips = [];
    let up = false;
    let status;
    let done = false;
    const finish = (r) => {
      if (done) return;
      done = true;
      clearTimeout(bootTimer);
      clearTimeout(totalTimer);
      if (qemu.exitCode === null && qemu.signalCode === null) qemu.kill('SIGKILL');
      resolve({ ...r, results, skips });
    };
    const bootTimer = setTimeout(() => {
      if (!up) finish({ error: `the VM did not start the tests within ${bootTimeout} s (SECCOMPILE_VM_BOOT_TIMEOUT)` });
    }, bootTimeout * 1000);
    const totalTimer = setTimeout(
      () => finish({ error: `the VM run did not end within ${totalTimeout} s (SECCOMPILE_VM_TIMEOUT)` }),
      totalTimeout * 1000,
    );

    const line = (raw) => {
      const l = strip(raw);
      if (l.startsWith(UP)) {
        up = true;
        log(`VM up: ${l.slice(UP.length).trim()}`);
      } else if (l.startsWith(EXIT)) {
        status = Number(l.slice(EXIT.length).trim());
      } else if (l.startsWith(MARK)) {
        log(l.slice(MARK.length).trim());
      } else {
        const file = /^(ok  |FAIL) (\S+)/.exec(l);
        if (file) results.push(`${file[1].trim()} ${file[2]}`);
        const skip = /SKIP: .*/.exec(l);
        if (skip) skips.push(skip[0]);
        console.log(l);
      }
    };
    let pending = '';
    qemu.stdout.on('data', (d) => {
      const lines = (pending + d).split('\n');
      pending = lines.pop();
      lines.forEach(line);
    });
    qemu.stderr.on('data', (d) => process.stderr.write(d));
    qemu.on('error', (e) => finish({ error: `${QEMU}: ${e.message}` }));
    qemu.on('close', (code, signal) => {
      if (strip(pending).trim()) line(pending);
      if (status === undefined || Number.isNaN(status)) {
        finish({ error: `the VM stopped (${QEMU}: ${signal ?? `exit ${code}`}) before the tests reported a status` });
      } else {
        finish({ status });
      }
    });
  });
}
