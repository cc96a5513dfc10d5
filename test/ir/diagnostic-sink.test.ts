// The one diagnostics collector: reports in the order made, the fallback location, identical
// reports kept once (and only identical ones), hasErrors; and the OCI importer's JSON position
// -> location helper.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DiagnosticSink, type Diagnostic, type TextLocation } from '../../src/ir/diagnostics.js';
import { at, type OciCode } from '../../src/oci/diagnostic.js';
import { importOciProfile } from '../../src/oci/index.js';

const POLICY: TextLocation = { file: 'policy.ts', line: 3, column: 1 };
const RULE: TextLocation = { file: 'policy.ts', line: 7, column: 5 };

type Report = (sink: DiagnosticSink) => void;

// [what, fallback, reports, expected list]
const CASES: [string, TextLocation | undefined, Report, Diagnostic[]][] = [
  ['no fallback, no location', undefined, (s) => s.error('unknown-syscall', 'rules[0].syscalls[0]', 'm'), [
    { code: 'unknown-syscall', severity: 'error', message: 'm', path: 'rules[0].syscalls[0]' },
  ]],
  ['the fallback fills a missing location', POLICY, (s) => s.warning('shadowed-rule', 'rules[1]', 'm'), [
    { code: 'shadowed-rule', severity: 'warning', message: 'm', path: 'rules[1]', location: POLICY },
  ]],
  ['a given location wins over the fallback', POLICY, (s) => s.error('arg-index', 'rules[0].conditions[0].arg', 'm', RULE), [
    { code: 'arg-index', severity: 'error', message: 'm', path: 'rules[0].conditions[0].arg', location: RULE },
  ]],
  ['report takes the severity', undefined, (s) => s.report('open-bypass', 'warning', 'rules[2]', 'm'), [
    { code: 'open-bypass', severity: 'warning', message: 'm', path: 'rules[2]' },
  ]],
  ['identical reports are kept once', POLICY, (s) => {
    s.error('value-range', 'rules[0].conditions[0].value', 'm', RULE);
    s.error('value-range', 'rules[0].conditions[0].value', 'm', { ...RULE });
    s.error('value-range', 'rules[0].conditions[0].value', 'm');
    s.error('value-range', 'rules[0].conditions[0].value', 'm', POLICY);
  }, [
    { code: 'value-range', severity: 'error', message: 'm', path: 'rules[0].conditions[0].value', location: RULE },
    { code: 'value-range', severity: 'error', message: 'm', path: 'rules[0].conditions[0].value', location: POLICY },
  ]],
  ['reports differing in one field are all kept, in order', undefined, (s) => {
    s.error('unknown-arch', 'arch[0]', 'm');
    s.warning('unknown-arch', 'arch[0]', 'm');
    s.error('unknown-errno', 'arch[0]', 'm');
    s.error('unknown-arch', 'arch[1]', 'm');
    s.error('unknown-arch', 'arch[0]', 'n');
    s.error('unknown-arch', 'arch[0]', 'm', { line: 1, column: 2 });
    s.error('unknown-arch', 'arch[0]', 'm', { line: 2, column: 1 });
    s.error('unknown-arch', 'arch[0]', 'm', { file: 'a.ts', line: 1, column: 2 });
  }, [
    { code: 'unknown-arch', severity: 'error', message: 'm', path: 'arch[0]' },
    { code: 'unknown-arch', severity: 'warning', message: 'm', path: 'arch[0]' },
    { code: 'unknown-errno', severity: 'error', message: 'm', path: 'arch[0]' },
    { code: 'unknown-arch', severity: 'error', message: 'm', path: 'arch[1]' },
    { code: 'unknown-arch', severity: 'error', message: 'n', path: 'arch[0]' },
    { code: 'unknown-arch', severity: 'error', message: 'm', path: 'arch[0]', location: { line: 1, column: 2 } },
    { code: 'unknown-arch', severity: 'error', message: 'm', path: 'arch[0]', location: { line: 2, column: 1 } },
    { code: 'unknown-arch', severity: 'error', message: 'm', path: 'arch[0]', location: { file: 'a.ts', line: 1, column: 2 } },
  ]],
];

for (const [what, fallback, report, expected] of CASES) {
  test(`DiagnosticSink: ${what}`, () => {
    const sink = new DiagnosticSink(fallback);
    report(sink);
    assert.equal(sink.list, expected);
    assert.is(sink.hasErrors, expected.some((d) => d.severity === 'error'));
  });
}

test('DiagnosticSink: warnings alone are not errors', () => {
  const sink = new DiagnosticSink<OciCode>();
  assert.is(sink.hasErrors, false);
  sink.warning('oci-cap-name', 'includes.caps[0]', 'm');
  assert.is(sink.hasErrors, false);
  sink.error('oci-type', 'syscalls', 'm');
  assert.is(sink.hasErrors, true);
});

// [JSON position, location]: a profile passed as a value has its nodes at line 0, and no location.
const POSITIONS: [Parameters<typeof at>[0], TextLocation | undefined][] = [
  [undefined, undefined],
  [{ line: 0, column: 0 }, undefined],
  [{ line: 1, column: 1 }, { line: 1, column: 1 }],
  [{ line: 12, column: 7 }, { line: 12, column: 7 }],
];

for (const [pos, location] of POSITIONS) {
  test(`at(${JSON.stringify(pos)}) is ${JSON.stringify(location)}`, () => {
    assert.equal(at(pos), location);
  });
}

test('an OCI syscalls entry with several names reports its bad errnoRet once', () => {
  const profile = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['read', 'write', 'close'], action: 'SCMP_ACT_ERRNO', errnoRet: 4095 }] };
  const r = importOciProfile(profile, { arch: 'x86_64', kernel: '6.1', caps: [] });
  assert.equal(r.diagnostics.map((d) => [d.code, d.path]), [['oci-errno-range', 'syscalls[0].errnoRet']]);
  assert.is(r.ir, undefined);
});

test.run();
