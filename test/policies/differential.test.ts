/**
 * The built-in policies compiled for every arch (each shipped target with its compat ABIs, and
 * every other arch on its own): the interpreter's decision on the compiled filter equals the
 * IR's semantics for every nr the tables know and 16 around the edges of the known spans, ABI
 * edges and a foreign arch, with argument values around every compared constant;
 * argument-independent syscalls load no argument.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { compile } from '../../src/compiler/index.js';
import { normalize } from '../../src/ir/normalize.js';
import { formatDiagnostic, hasErrors } from '../../src/ir/diagnostics.js';
import { loadPolicyFile } from '../../src/loader/policy-file.js';
import { ARCH_NAMES, compatArches, type ArchName } from '../../src/syscalls/index.js';
import { POLICIES_DIR, builtInPolicies } from '../../scripts/build-policies.js';
import { differential, describe } from '../compiler/differential.js';

const targets: ArchName[][] = [
  compatArches('x86_64').map((a) => a.name),
  compatArches('aarch64').map((a) => a.name),
  ...ARCH_NAMES.filter((a) => !['x86_64', 'x86', 'x32', 'aarch64', 'arm'].includes(a)).map((a) => [a]),
];

for (const policy of builtInPolicies()) {
  test(`${policy}: compiled = semantics on ${targets.map((t) => t.join('+')).join(', ')}`, async () => {
    const { spec, file } = await loadPolicyFile(join(POLICIES_DIR, `${policy}.ts`));
    for (const arches of targets) {
      const n = normalize(spec, { arches, sourceFile: file });
      assert.not.ok(hasErrors(n.diagnostics), n.diagnostics.map((d) => formatDiagnostic(d)).join('\n'));
      const r = compile(n.ir!);
      const report = differential(n.ir!, r.program, r.endian);
      assert.ok(report.cases > 400);
      assert.is(describe(report), '', `${policy} on ${arches.join('+')}`);
      assert.equal(report.argLoads, [], `${policy} on ${arches.join('+')}: argument loads on argument-independent paths`);
    }
  });
}

test.run();
