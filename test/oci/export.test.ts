// Export: DSL -> IR -> OCI profile. Round trip: the exported profile, imported back with runc's
// semantics and compiled, decides every syscall of every target arch (and argument values at
// every boundary) exactly as the policy compiled directly; and libseccomp (the filter runc would
// load from the exported JSON) agrees. What OCI cannot say is an error, never a weaker profile.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allow, arg, errno, kill, killThread, log, policy, trace, trap } from '../../src/dsl/index.js';
import type { PolicySpec } from '../../src/ir/spec.js';
import { normalize } from '../../src/ir/normalize.js';
import type { PolicyIR } from '../../src/ir/types.js';
import { compile } from '../../src/compiler/index.js';
import { loadPolicyFile } from '../../src/loader/policy-file.js';
import { exportK8sProfile, exportOciProfile, importOciProfile, ociProfileJson, OciExportError } from '../../src/oci/index.js';
import { InterpreterEvaluator } from '../../src/seccomp/evaluate.js';
import { ARCHES } from '../../src/syscalls/index.js';
import { actionToRet } from '../../src/seccomp/abi.js';
import { inNrSpans } from '../../src/ir/nr-spans.js';
import { expectGolden } from '../support/golden.js';
import { need } from '../support/capabilities.js';
import { buildReference, hasPythonSeccomp } from '../support/libseccomp-reference.js';
import { comparisonInputs } from '../support/oci-inputs.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ARCHES3 = ['x86_64', 'x86', 'x32'];
const python = hasPythonSeccomp();

function irOf(spec: PolicySpec, arches?: readonly string[]): PolicyIR {
  const n = normalize(spec, arches ? { arches } : {});
  assert.ok(n.ir, n.diagnostics.map((d) => d.message).join('; '));
  return n.ir!;
}

/**
 * Round trip plus libseccomp; returns the number of inputs compared. On arm and x32 the numbers
 * between the regular and the private calls are `newer` in the policy, but runc's stub starts
 * above the largest syscall named, so there the profile gives the default: the export must say
 * so (an oci-newer-gap warning for exactly those arches), and via-OCI and libseccomp agree on it.
 */
function roundTrip(ir: PolicyIR): number {
  const { profile, warnings } = exportOciProfile(ir);
  const text = ociProfileJson(profile);
  const back = importOciProfile(text, { arch: 'x86_64', kernel: '6.1', caps: [] });
  assert.equal(back.diagnostics.filter((d) => d.severity === 'error'), []);
  const direct = compile(ir);
  const viaOci = compile(back.ir!);
  const a = new InterpreterEvaluator(direct.program, direct.endian);
  const b = new InterpreterEvaluator(viaOci.program, viaOci.endian);
  const ref = python ? buildReference({ profile: text, kernel: '6.1' }) : undefined;
  let n = 0;
  const diffs: string[] = [];
  const gapArches = new Set<string>();
  for (const section of ir.sections) {
    const mirror = back.ir!.sections.find((s) => s.arch === section.arch)!;
    const lastKnown = section.knownNrs[section.knownNrs.length - 1]!.end - 1;
    // On 32-bit ABIs arguments have no upper half (the kernel zero-extends; libseccomp ignores it).
    const lowOnly = ARCHES[section.arch].wordSize === 32;
    // Debian's libseccomp 2.5.4 predates the newest syscalls: runc linked with it ignores their
    // names, so its stub starts lower. Those numbers are compared without it.
    const unknownToRef = new Set((ref?.missing[section.arch] ?? []).map((n) => ARCHES[section.arch].syscalls.get(n)));
    const refLast = ref?.lastSyscalls[section.arch] ?? Infinity;
    for (const input of comparisonInputs(ir, section.arch)) {
      const d = lowOnly ? { ...input, args: input.args.map((x) => x & 0xffffffffn) } : input;
      n++;
      const want = a.evaluateOne(d).ret >>> 0;
      const got = b.evaluateOne(d).ret >>> 0;
      const nr = d.nr >>> 0;
      const comparable = ref && !unknownToRef.has(nr) && !(nr > refLast && nr <= lastKnown);
      const theirs = comparable ? ref.decide(d) >>> 0 : want;
      if (!inNrSpans(section.knownNrs, nr) && inNrSpans(mirror.knownNrs, nr)) {
        gapArches.add(section.arch);
        const ok = want === actionToRet(section.newer) && got === actionToRet(mirror.defaultAction) && (!comparable || theirs === got);
        if (!ok && diffs.length < 8) diffs.push(`${section.arch} gap nr=${nr} policy=0x${want.toString(16)} via-oci=0x${got.toString(16)} libseccomp=0x${theirs.toString(16)}`);
        continue;
      }
      if ((want !== got || want !== theirs) && diffs.length < 8) {
        diffs.push(`${section.arch} nr=${d.nr >>> 0} args=${d.args.join(',')} policy=0x${want.toString(16)} via-oci=0x${got.toString(16)} libseccomp=0x${theirs.toString(16)}`);
      }
    }
  }
  assert.equal(diffs, []);
  const warned = ir.sections.filter((s) => warnings.some((w) => w.includes('[oci-newer-gap]') && w.includes(`on ${s.arch},`)));
  assert.equal(warned.map((s) => s.arch), [...gapArches]);
  return n;
}

const POLICIES: [string, PolicySpec][] = [
  [
    'allow-list with int conditions, masks, ranges, several rules per syscall (x86_64, x86, x32)',
    policy({
      default: errno('EPERM'),
      arch: ['x86_64', 'x86', 'x32'],
      badArch: killThread(),
      rules: [
        allow('read', 'exit_group', 'rt_sigreturn', 'brk', 'close', 'fstat', 'newfstatat', 'openat'),
        allow('write').when(arg(0).eq(1)),
        allow('write').when(arg(0).eq(2)),
        errno('EBADF').on('write'),
        allow('mmap').when(arg(2).maskedEq(4, 0)),
        errno('EACCES').on('mmap'),
        allow('ioctl').when(arg(1).int.eq(0x5401)),
        allow('ioctl').when(arg(1).int.eq(0x5413)),
        errno('ENOTTY').on('ioctl').when(arg(1).int.eq(0x541b)),
        allow('dup').when(arg(0).gt(5), arg(0).lt(9)),
        allow('dup2').when(arg(1).int.ne(0), arg(1).int.ne(1), arg(1).int.ne(2)),
        allow('mprotect').when(arg(2).maskedEq(6, 0)),
        errno('EACCES').on('mprotect').when(arg(2).int.gt(0x10)),
        allow('fcntl').when(arg(1).int.lt(1000)),
        allow('kill').when(arg(1).int.le(15)),
        trap().on('uname'),
        log().on('getpid'),
        trace(5).on('getppid'),
        kill().on('ptrace'),
      ],
    }),
  ],
  [
    'x86_64: 64-bit boundaries',
    policy({
      default: errno('EPERM'),
      arch: ['x86_64'],
      badArch: killThread(),
      rules: [
        allow('read', 'exit_group'),
        allow('lseek').when(arg(1).lt(2n ** 32n)),
        errno('EOVERFLOW').on('lseek'),
        allow('pread64').when(arg(3).ge(2n ** 63n)),
        allow('pwrite64').when(arg(3).gt(0xffffffffn), arg(3).le(0x1_0000_ffffn)),
        errno('EINVAL').on('pwrite64').when(arg(3).ne(0)),
        allow('mprotect').when(arg(2).maskedEq(0xffffffff00000004n, 0x100000000n)),
      ],
    }),
  ],
  [
    'deny-list with an unconditional rule after conditional ones',
    policy({
      default: allow(),
      arch: ['x86_64', 'x86', 'x32'],
      badArch: killThread(),
      rules: [
        allow('clone').when(arg(0).maskedEq(0x7e020000, 0)),
        errno('EPERM').on('clone'),
        errno('EPERM').on('mount', 'umount2', 'pivot_root', 'bpf'),
        errno('EACCES').on('personality').when(arg(0).int.ne(0)),
        errno('ENOSYS').on('io_uring_setup'),
      ],
    }),
  ],
];

for (const [what, spec] of POLICIES) {
  test(`round trip: ${what}`, () => {
    assert.ok(roundTrip(irOf(spec)) > 400);
  });
}

// default refuses socketcall's socket and socketpair on x86 (their family is out of seccomp's
// reach) and allows the other socket calls: libseccomp maps every direct socket call of an x86
// rule onto socketcall too, so runc cannot keep them apart there, and the export says so.
const BUILT_IN_ROUND_TRIPS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['net-off', ARCHES3],
  ['default', ['x86_64', 'x32']],
];
for (const [name, arches] of BUILT_IN_ROUND_TRIPS) {
  test(`round trip: built-in policy ${name} (${arches.join(', ')})`, async () => {
    const { spec } = await loadPolicyFile(join(root, 'policies', `${name}.ts`));
    const ir = irOf(spec, arches);
    // The built-ins keep the DSL's default bad-arch action; OCI cannot carry it: a warning.
    assert.ok(exportOciProfile(ir).warnings.some((w) => w.includes('bad-arch')));
    assert.ok(roundTrip(ir) > 1000);
  });
}

test('built-in policy default for x86: the export refuses what runc would decide otherwise', async () => {
  const { spec } = await loadPolicyFile(join(root, 'policies', 'default.ts'));
  assert.throws(() => exportOciProfile(irOf(spec, ['x86'])), /on x86, socketcall: .*Make their conditions disjoint/);
});

const REFUSED: [string, PolicySpec, string][] = [
  [
    'socket with argument conditions on x86 (libseccomp rewrites them onto socketcall without them)',
    policy({
      default: errno('EPERM'),
      arch: ['x86_64', 'x86'],
      rules: [errno('EAFNOSUPPORT').on('socketcall').when(arg(0).int.eq(1)), allow('socket').when(arg(0).int.eq(1)), errno('EAFNOSUPPORT').on('socket')],
    }),
    'socketcall',
  ],
  [
    'a `newer` action other than runc\'s ENOSYS',
    policy({ default: errno('EPERM'), newer: kill(), rules: [allow('read')] }),
    "runc answers ENOSYS above",
  ],
  [
    'a per-arch rule',
    policy({ default: errno('EPERM'), rules: [allow('read'), allow('write').forArch('x86_64')] }),
    'write',
  ],
  ['TRAP with data', policy({ default: allow(), rules: [trap(7).on('uname')] }), 'TRAP(7)'],
];

for (const [what, spec, message] of REFUSED) {
  test(`export refuses: ${what}`, () => {
    const ir = irOf(spec);
    assert.throws(
      () => exportOciProfile(ir),
      (e: unknown) => e instanceof OciExportError && e.message.includes(message),
    );
  });
}

test('export refuses: the built-in stdio policy (its `newer` is KILL_PROCESS, runc answers ENOSYS)', async () => {
  const { spec } = await loadPolicyFile(join(root, 'policies', 'stdio.ts'));
  assert.throws(() => exportOciProfile(irOf(spec, ARCHES3)), /newer/);
});

test('k8s: a Security Profiles Operator SeccompProfile (golden)', () => {
  const ir = irOf(
    policy({
      default: errno('EPERM'),
      arch: ['x86_64'],
      badArch: killThread(),
      rules: [allow('read', 'write', 'exit_group'), allow('socket').when(arg(0).int.eq(1)), errno('EACCES').on('mkdir', 'mkdirat')],
    }),
    ['x86_64'],
  );
  const { profile } = exportOciProfile(ir);
  expectGolden('oci/small.json', ociProfileJson(profile));
  expectGolden('oci/small.k8s.yaml', exportK8sProfile(profile, { name: 'small' }));
  assert.throws(() => exportK8sProfile(profile, { name: 'Not_Valid' }), /Kubernetes resource name/);
});

if (!python) need('tool', false, 'OCI export against libseccomp', '/usr/bin/python3 with python3-seccomp not available');

test.run();
