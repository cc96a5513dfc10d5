/**
 * Capability names and lists (src/launcher/capabilities.ts), table-driven. The sets a real
 * command ends up with are checked in test/cli/jail-capabilities.test.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CAPABILITIES, describeCapabilities, keptCapabilities, parseCapabilities } from '../../src/launcher/capabilities.js';

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

test('keptCapabilities: nothing dropped -> undefined; additions win over drops', () => {
  assert.is(keptCapabilities([], [13]), undefined);
  assert.equal(keptCapabilities(parseCapabilities('x', 'all'), [10]), [10]);
  assert.is(keptCapabilities([21], [])?.length, CAPABILITIES.length - 1);
  assert.is(describeCapabilities([]), 'none');
  assert.is(describeCapabilities([0, 13]), 'CHOWN NET_RAW');
});

test.run();
