/** Nothing outlives a run: 50 runs in a row (10 in the emulated VM) leave no cgroup, mount or process behind. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hasCgroups, hasNamespaces, isRoot, need } from '../support/capabilities.js';
import { cgroupsOf, hostMounts, jail, MARKER, processesWith } from '../support/jail.js';
import { repetitions } from '../support/emulation.js';

const ok = need('root', isRoot(), 'jail cleanup', 'namespaces and cgroups need root') &&
  need('namespaces', hasNamespaces(), 'jail cleanup', 'the kernel has no namespaces') &&
  need('cgroups', hasCgroups(), 'jail cleanup', 'no cgroup filesystem mounted');

if (ok) {
  const count = repetitions(50, 10);
  test(`${count} runs in a row leave no cgroup, mount or process behind`, async () => {
    const mounts = hostMounts();
    const pids: number[] = [];
    for (let i = 0; i < count; i++) {
      // Alternate the v2 (no limits) and v1 (memory + pids) backends on hybrid machines.
      const limits = i % 2 === 0 ? [] : ['--memory', '64M', '--pids', '16'];
      const r = await jail([...limits, '--no-seccomp', '--', '/bin/sh', '-c', `sleep 7.${MARKER}0${i} & echo $$`]);
      assert.is(r.stdout, '1\n', r.stderr);
      pids.push(r.pid);
    }
    assert.equal(cgroupsOf(pids), []);
    assert.is(hostMounts(), mounts);
    assert.equal(processesWith(`sleep 7.${MARKER}0`), []);
  });

}

test.run();
