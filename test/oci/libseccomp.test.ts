// Proof against the reference stack: for Podman's default profile and our own profiles with
// argument conditions, the IR the importer produces decides every syscall number of x86_64, x86
// and x32 (and argument values at every boundary) exactly as the filter runc would load: the one
// libseccomp (Debian's python3-seccomp) builds, behind runc's -ENOSYS stub. Plus seeded random
// profiles: whatever the importer accepts must agree, and whatever libseccomp refuses the importer
// must refuse too. Our compiled filter (the IR through src/compiler, run by the interpreter) is
// compared on the same inputs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importOciProfile, formatOciDiagnostic, type OciImportOptions } from '../../src/oci/index.js';
import { actionToRet } from '../../src/seccomp/abi.js';
import type { PolicyIR } from '../../src/ir/types.js';
import { need } from '../support/capabilities.js';
import { buildReference, hasPythonSeccomp } from '../support/libseccomp-reference.js';
import { comparisonInputs } from '../support/oci-inputs.js';
import { decide } from '../../src/ir/semantics.js';
import { compile } from '../../src/compiler/index.js';
import { InterpreterEvaluator } from '../../src/seccomp/evaluate.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'oci');
const PODMAN_CAPS = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_SETFCAP', 'CAP_SETGID', 'CAP_SETPCAP', 'CAP_SETUID', 'CAP_SYS_CHROOT'];
const DOCKER_CAPS = [...PODMAN_CAPS, 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_AUDIT_WRITE'];

/** Every value and valueTwo written in the profile text (exact u64). */
function profileConstants(text: string): bigint[] {
  return [...text.matchAll(/"value(?:Two)?"\s*:\s*(\d+)/g)].map((m) => BigInt(m[1]!));
}

interface Compared {
  readonly inputs: number;
  readonly diffs: string[];
}

function compare(text: string, caps: readonly string[], kernel: string, options: OciImportOptions = {}): Compared {
  const res = importOciProfile(text, { arch: 'x86_64', kernel, caps, ...options });
  const errors = res.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors.map((d) => formatOciDiagnostic(d)), []);
  const ir = res.ir as PolicyIR;
  const ref = buildReference({ profile: text, caps: caps.length ? caps : ['NONE'], kernel });
  assert.equal([...ref.arches].sort(), [...res.arches].sort());
  const compiled = compile(ir);
  const filter = new InterpreterEvaluator(compiled.program, compiled.endian);
  const diffs: string[] = [];
  let inputs = 0;
  for (const arch of res.arches) {
    for (const d of comparisonInputs(ir, arch, profileConstants(text))) {
      inputs++;
      const ours = actionToRet(decide(ir, d)) >>> 0;
      const bpf = filter.evaluateOne(d).ret >>> 0;
      const theirs = ref.decide(d) >>> 0;
      if ((ours !== theirs || bpf !== theirs) && diffs.length < 10) {
        const hex = (x: number) => `0x${x.toString(16)}`;
        diffs.push(`${arch} nr=${d.nr >>> 0} args=[${d.args.map((a) => hex(Number(a & 0xffffffffn)) + (a >> 32n ? `+hi${hex(Number(a >> 32n))}` : '')).join(',')}] IR=${hex(ours)} our filter=${hex(bpf)} libseccomp=${hex(theirs)}`);
      }
    }
  }
  return { inputs, diffs };
}

const CASES: [string, string, readonly string[], string][] = [
  ['podman-default.json', "Podman's default profile, Docker's default caps", DOCKER_CAPS, '6.1'],
  ['podman-default.json', "Podman's default profile, Podman's default caps", PODMAN_CAPS, '6.1'],
  ['podman-default.json', "Podman's default profile, every capability, kernel 4.14", ['ALL'], '4.14'],
  ['args-allowlist.json', 'allow-list with every operator, 64-bit boundaries, several entries per syscall', DOCKER_CAPS, '6.1'],
  ['denylist.json', 'deny-list with includes/excludes, archMap, socket conditions', DOCKER_CAPS, '6.1'],
  ['denylist.json', 'deny-list, every capability, kernel 5.0', ['ALL'], '5.0'],
];

if (need('tool', hasPythonSeccomp(), 'OCI profiles against libseccomp', '/usr/bin/python3 with python3-seccomp not available')) {
  for (const [file, what, caps, kernel] of CASES) {
    test(`${what}: decides as runc + libseccomp (x86_64, x86, x32)`, () => {
      const text = readFileSync(join(fixtures, file), 'utf8');
      const { inputs, diffs } = compare(text, caps, kernel);
      assert.ok(inputs > 1500, `only ${inputs} inputs`);
      assert.equal(diffs, []);
    });
  }

  test('seeded random profiles: accepted ones agree with libseccomp; refused by libseccomp means refused here', () => {
    let accepted = 0;
    let refusedByUs = 0;
    let knownBug = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const profile = randomProfile(seed);
      const text = JSON.stringify(profile, null, 1);
      const res = importOciProfile(text, { arch: 'x86_64', kernel: '6.1', caps: [] });
      let refError: string | undefined;
      try {
        buildReference({ profile: text, caps: ['NONE'], kernel: '6.1' });
      } catch (e) {
        refError = String(e);
      }
      if (!res.ir) {
        refusedByUs++;
        assert.ok(res.diagnostics.some((d) => d.code === 'oci-ambiguous-overlap'), `seed ${seed}: ${res.diagnostics.map((d) => formatOciDiagnostic(d)).join('; ')}`);
        continue;
      }
      assert.is(refError, undefined, `seed ${seed}: libseccomp refused a profile the importer accepted`);
      const { diffs } = compare(text, [], '6.1');
      // libseccomp 2.5's known range mis-compilation is the only excuse, and it must be flagged.
      if (res.diagnostics.some((d) => d.code === 'oci-libseccomp-range-bug')) knownBug++;
      else assert.equal(diffs, [], `seed ${seed}: ${text}`);
      accepted++;
    }
    assert.ok(accepted - knownBug >= 15, `only ${accepted} of 40 random profiles accepted (${refusedByUs} refused, ${knownBug} hit libseccomp's range bug)`);
  });
}

/** A deterministic random profile over a few syscalls (socket and IPC ones included). */
function randomProfile(seed: number): object {
  let s = seed * 0x9e3779b1;
  const rand = (n: number) => {
    s = (Math.imul(s ^ (s >>> 15), 0x85ebca6b) + 0x6b43a9b5) >>> 0;
    return s % n;
  };
  const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)]!;
  const names = ['read', 'write', 'lseek', 'mmap', 'socket', 'connect', 'semget', 'kill'];
  const values = [0, 1, 2, 5, 9, 0x7fffffff, 0xffffffff, 2 ** 32, 2 ** 32 + 5, 2 ** 53 - 1];
  const ops = ['SCMP_CMP_EQ', 'SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_GT', 'SCMP_CMP_GE', 'SCMP_CMP_MASKED_EQ'];
  const actions: [string, number?][] = [['SCMP_ACT_ALLOW'], ['SCMP_ACT_ERRNO', 13], ['SCMP_ACT_ERRNO', 22], ['SCMP_ACT_KILL_PROCESS'], ['SCMP_ACT_TRAP'], ['SCMP_ACT_LOG'], ['SCMP_ACT_TRACE', 7]];
  const [defaultAction, defaultErrnoRet] = pick<[string, number?]>([['SCMP_ACT_ALLOW'], ['SCMP_ACT_ERRNO', 1], ['SCMP_ACT_KILL_PROCESS']]);
  const syscalls = Array.from({ length: 2 + rand(6) }, () => {
    const [action, errnoRet] = pick(actions);
    const args = Array.from({ length: rand(3) }, () => {
      const op = pick(ops);
      return { index: rand(3), value: pick(values), valueTwo: op === 'SCMP_CMP_MASKED_EQ' ? pick(values) : 0, op };
    });
    return { names: [pick(names), ...(rand(3) === 0 ? [pick(names)] : [])], action, ...(errnoRet !== undefined ? { errnoRet } : {}), args };
  });
  return {
    defaultAction,
    ...(defaultErrnoRet !== undefined ? { defaultErrnoRet } : {}),
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls,
  };
}

test.run();
