/**
 * jail --policy with a policy module that misbehaves while it loads: it never runs the command
 * and never reports success (process.exit(0) in the policy used to make jail exit 0 without
 * running anything), and a signal while an endless policy loads still ends the run at once.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasNamespaces, isRoot, need } from '../support/capabilities.js';
import { jail, tempDir } from '../support/jail.js';

const ok = need('root', isRoot(), 'jail hostile policy', 'namespaces need root') &&
  need('namespaces', hasNamespaces(), 'jail hostile policy', 'the kernel has no namespaces');
const dir = tempDir();
const policy = (name: string, body: string) => {
  const file = join(dir, name);
  writeFileSync(file, ["import { allow, errno, policy } from 'seccompile';", body, "export default policy({ default: allow(), rules: [errno('EPERM').on('mount')] });"].join('\n'));
  return file;
};

if (ok) {
  const cases: Array<[string, string, string[], RegExp]> = [
    ['process.exit(0)', 'process.exit(0);', [], /called process\.exit\(0\) instead of exporting a policy/],
    ['a top-level await that never settles', 'await new Promise(() => {});', [], /never finished: its top-level await/],
    ['an endless loop, past --load-timeout', 'while (true) {}', ['--load-timeout', '1'], /did not finish within 1s/],
  ];
  for (const [name, body, options, message] of cases) {
    test(`jail --policy: ${name} -> 125, the command never runs`, async () => {
      const file = policy(`${name.replace(/\W+/g, '-')}.ts`, body);
      const r = await jail([...options, '--policy', file, '--', '/bin/echo', 'ran']);
      assert.is(r.status, 125, r.stderr);
      assert.is(r.stdout, '');
      assert.match(r.stderr, file);
      assert.match(r.stderr, message);
    });
  }

  test('SIGINT while an endless policy module loads: 130 long before the load timeout', async () => {
    const file = policy('forever.ts', 'while (true) {}');
    let sent = 0;
    const r = await jail(['--verbose', '--load-timeout', '600', '--policy', file, '--', '/bin/echo', 'ran'], {
      onStderr: (err, pid) => {
        if (!sent && /join cgroup: init stage/.test(err)) {
          sent = Date.now();
          setTimeout(() => process.kill(pid, 'SIGINT'), 300);
        }
      },
    });
    assert.ok(sent, r.stderr);
    assert.is(r.status, 130, r.stderr);
    assert.is(r.stdout, '');
    assert.match(r.stderr, /^jail: interrupted by SIGINT before the command started$/m);
    // Not a timing assertion on speed: 600 s is the load timeout the run must not wait for.
    assert.ok(Date.now() - sent < 300_000, 'ended by the signal, not by the load timeout');
  });
}

test.run();
