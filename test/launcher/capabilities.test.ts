/**
 * Capability names and lists (src/launcher/init/capabilities.ts), table-driven. The sets a real
 * command ends up with are checked in test/cli/jail-capabilities.test.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CAPABILITIES, describeCapabilities, keptCapabilities, parseCapabilities } from '../../src/launcher/init/capabilities.js';

test('the table follows <linux/capability.h> numbering', () => {
  const fixed: Array<[string, number]> = [['CHOWN', 0], ['SETPCAP', 8], ['NET_BIND_SERVICE', 10], ['NET_RAW', 13], ['SYS_ADMIN', 21], ['MKNOD', 27], ['SETFCAP', 31], ['CHECKPOINT_RESTORE', 40]];
  for (const [name, n] of fixed) assert.is(CAPABILITIES.indexOf(name), n, name);
  assert.is(new Set(CAPABILITIES).size, CAPABILITIES.length);
});

const lists: Array<[string, number[] | RegExp]> = [
  ['all', CAPABILITIES.map((_, i) => i)],
  ['ALL', CAPABILITIES.map((_, i) => i)],
  ['net_raw', [13]],
  ['CAP_SYS_ADMIN, chown', [0, 21]],
  ['NET_RAW,NET_RAW', [13]],
  ['NET_RAW,', /unknown capability ""/],
  ['CAP_BANANA', /unknown capability "CAP_BANANA"/],
];
for (const [text, want] of lists) {
  test(`parseCapabilities ${JSON.stringify(text)}`, () => {
    if (want instanceof RegExp) assert.throws(() => parseCapabilities('--cap-drop', text), want);
    else assert.equal(parseCapabilities('--cap-drop', text), want);
  });
}

const names = (list: readonly number[]) => describeCapabilities(list).split(' ');
const DOCKER = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP', 'NET_BIND_SERVICE', 'NET_RAW', 'SYS_CHROOT', 'MKNOD', 'AUDIT_WRITE', 'SETFCAP'].sort(
  (a, b) => CAPABILITIES.indexOf(a) - CAPABILITIES.indexOf(b),
);

test("keptCapabilities: Docker's default set; drops, additions (which win), add all", () => {
  assert.equal(names(keptCapabilities([], [])), DOCKER);
  assert.equal(names(keptCapabilities([13], [])), DOCKER.filter((n) => n !== 'NET_RAW'));
  assert.equal(names(keptCapabilities([], [21])), [...DOCKER, 'SYS_ADMIN'].sort((a, b) => CAPABILITIES.indexOf(a) - CAPABILITIES.indexOf(b)));
  assert.equal(keptCapabilities([13], [13]).includes(13), true);
  assert.equal(keptCapabilities(parseCapabilities('x', 'all'), [10]), [10]);
  assert.equal(keptCapabilities([], parseCapabilities('x', 'all')), CAPABILITIES.map((_, i) => i));
  assert.is(keptCapabilities([21], parseCapabilities('x', 'all')).length, CAPABILITIES.length - 1);
  for (const [name, n] of [['SYS_ADMIN', 21], ['SYS_PTRACE', 19], ['DAC_READ_SEARCH', 2], ['SYS_MODULE', 16], ['NET_ADMIN', 12]] as const) {
    assert.not.ok(keptCapabilities([], []).includes(n), `${name} is not a default`);
  }
  assert.is(describeCapabilities([]), 'none');
  assert.is(describeCapabilities([0, 13]), 'CHOWN NET_RAW');
});

test.run();
