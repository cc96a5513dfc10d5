// Cross-check: our tables against libseccomp's own resolver (Debian's python3-seccomp). An older
// libseccomp lacks the newest syscalls (skipped), and resolves socket/IPC calls on arches with
// socketcall/ipc to the multiplexer: there its number must be our multiplexer's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ARCHES, SYSCALL_NAMES, type ArchName } from '../../src/syscalls/index.js';
import { need } from '../support/capabilities.js';

const PYTHON = '/usr/bin/python3';
const LIBSECCOMP_ARCH: Partial<Record<ArchName, string>> = {
  x86_64: 'X86_64',
  x86: 'X86',
  x32: 'X32',
  aarch64: 'AARCH64',
  arm: 'ARM',
  riscv64: 'RISCV64',
  s390x: 'S390X',
  ppc64le: 'PPC64LE',
  loongarch64: 'LOONGARCH64',
};
const SCRIPT = `
import json, sys, seccomp
names, arches = json.load(sys.stdin)
out = {}
for ours, theirs in arches.items():
    arch = getattr(seccomp.Arch, theirs, None)
    if arch is None:
        continue
    res = {}
    for n in names:
        try:
            res[n] = seccomp.resolve_syscall(arch, n)
        except Exception:
            res[n] = None
    out[ours] = res
print(json.dumps(out))
`;

const probe = existsSync(PYTHON) ? spawnSync(PYTHON, ['-c', 'import seccomp'], { encoding: 'utf8' }) : undefined;
if (need('tool', probe?.status === 0, 'libseccomp cross-check', `${PYTHON} with python3-seccomp not available`)) {
  const r = spawnSync(PYTHON, ['-c', SCRIPT], {
    input: JSON.stringify([SYSCALL_NAMES, LIBSECCOMP_ARCH]),
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const theirs = JSON.parse(r.stdout || '{}') as Record<string, Record<string, number | null>>;

  test('libseccomp knows at least x86_64, x86, aarch64', () => {
    assert.ok(theirs.x86_64 && theirs.x86 && theirs.aarch64, r.stderr);
  });

  for (const arch of Object.keys(theirs) as ArchName[]) {
    test(`${arch}: every number libseccomp resolves matches ours (or our multiplexer)`, () => {
      const a = ARCHES[arch];
      let compared = 0;
      for (const [name, nr] of Object.entries(theirs[arch]!)) {
        if (nr === null || nr < 0) continue; // unknown to this (older) libseccomp
        compared++;
        const ours = a.syscalls.get(name);
        if (ours === nr) continue;
        const mux = a.multiplexers.find((m) => m.nr === nr);
        assert.ok(mux && mux.calls[name] !== undefined, `${arch} ${name}: libseccomp ${nr}, ours ${ours}`);
      }
      assert.ok(compared > a.syscalls.size * 0.9, `${arch}: only ${compared} names compared`);
    });
  }
}

test.run();
