/**
 * The compiled built-ins checked in under bpf/ must be what the current sources compile to:
 * each policies/<name>.ts for each shipped target (bpf/<name>.<arch>.bpf and .txt, and the
 * golden `disasm --source` listing scripts/build-policies.ts writes under test/golden/disasm/).
 * A stale or missing file fails with the disassembly diff and the command that regenerates them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Assertion } from 'uvu/assert';
import { lines } from 'uvu/diff';
import { BUILT_IN_TARGETS, ROOT, buildArtifacts, builtInPolicies } from '../../scripts/build-policies.js';

const FIX = 'run `npm run build:policies` and commit what it wrote';

test('there are built-in policies', () => {
  assert.ok(builtInPolicies().length >= 3, builtInPolicies().join(', '));
  for (const p of ['default', 'net-off', 'stdio']) assert.ok(builtInPolicies().includes(p), p);
});

for (const policy of builtInPolicies()) {
  for (const target of BUILT_IN_TARGETS) {
    test(`${policy} for ${target}: its artifacts are up to date`, async () => {
      for (const a of await buildArtifacts(policy, target)) {
        const file = join(ROOT, a.path);
        if (!existsSync(file)) throw new Assertion({ message: `${a.path} is missing: ${FIX}`, operator: 'golden', expects: a.path, actual: undefined });
        const have = readFileSync(file);
        if (have.equals(Buffer.from(a.content))) continue;
        const details = a.path.endsWith('.txt') ? lines(Buffer.from(a.content).toString(), have.toString(), 1) : undefined;
        throw new Assertion({
          message: `${a.path} is stale (${have.length} bytes checked in, ${a.content.length} compiled): ${FIX}`,
          operator: 'golden',
          expects: a.content.length,
          actual: have.length,
          ...(details ? { details } : {}),
        });
      }
    });
  }
}

test.run();
