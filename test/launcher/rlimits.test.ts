/** --rlimit parsing, table-driven; applying is covered by test/cli/jail-exit.test.ts. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseRlimit } from '../../src/launcher/init/rlimits.js';

const good: Array<[string, { resource: number; name: string; soft: string; hard: string }]> = [
  ['nofile=1024', { resource: 7, name: 'nofile', soft: '1024', hard: '1024' }],
  ['NOFILE=10:20', { resource: 7, name: 'nofile', soft: '10', hard: '20' }],
  ['RLIMIT_CORE=0', { resource: 4, name: 'core', soft: '0', hard: '0' }],
  ['as=unlimited', { resource: 9, name: 'as', soft: '18446744073709551615', hard: '18446744073709551615' }],
  ['nproc=64:infinity', { resource: 6, name: 'nproc', soft: '64', hard: '18446744073709551615' }],
];
for (const [text, expected] of good) test(`parses ${text}`, () => assert.equal(parseRlimit(text), expected));

const bad: Array<[string, RegExp]> = [
  ['nofile', /expected NAME=N/],
  ['files=1', /unknown resource "files"/],
  ['nofile=many', /"many" is not a number/],
  ['nofile=1:2:3', /expected N or SOFT:HARD/],
  ['nofile=5:1', /soft limit above hard limit/],
  ['nofile=18446744073709551616', /does not fit in 64 bits/],
];
for (const [text, message] of bad) test(`rejects ${text}`, () => assert.throws(() => parseRlimit(text), message));

test.run();
