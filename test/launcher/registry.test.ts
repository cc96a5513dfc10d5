/**
 * The registry of named jails: claim, clash, update, release and the sweep of entries whose
 * supervisor is gone, with fake supervisors (no jail starts; the live one is this process).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { claimName, listJails, selfId, stateDir, sweepStale, type JailEntry } from '../../src/launcher/registry/registry.js';
import { tempDir } from '../support/jail.js';

const entry = (name: string, supervisor = selfId()): JailEntry => ({
  name,
  state: 'starting',
  supervisor,
  namespaces: {},
  argv: ['sleep', '1'],
  started: Date.now(),
  limits: {},
  hostname: 'jail',
  rlimits: [],
});

test('registry: a live name clashes; a released name can be claimed again', () => {
  const state = join(tempDir(), 'state');
  const claim = claimName(entry('web'), new Uint8Array(8), state);
  assert.throws(() => claimName(entry('web'), undefined, state), /a jail named web is already running/);
  assert.equal(listJails(state).map((e) => e.name), ['web']);
  claim.update({ state: 'running' });
  assert.is(listJails(state)[0]!.state, 'running');
  claim.release();
  assert.equal(listJails(state), []);
  claimName(entry('web'), undefined, state).release();
  assert.equal(readdirSync(state), []);
});

test('registry: an entry whose supervisor is gone is swept, and its name is free', () => {
  const state = join(tempDir(), 'state');
  // pid 1 with another start time: a supervisor that is gone (a reused pid).
  claimName(entry('old', { pid: 1, starttime: '1' }), undefined, state);
  assert.ok(existsSync(join(state, 'old')));
  assert.equal(listJails(state), []);
  assert.equal(sweepStale(state), ['old']);
  assert.equal(readdirSync(state), []);
  claimName(entry('dead', { pid: 1, starttime: '1' }), undefined, state);
  claimName(entry('dead'), undefined, state).release(); // a new claim sweeps the stale one
  claimName(entry('old'), undefined, state).release();
});


test('stateDir: the environment variable, else /run/seccompile as root', () => {
  assert.is(stateDir({ SECCOMPILE_STATE_DIR: '/x/y' }), '/x/y');
  if (process.getuid?.() === 0) assert.is(stateDir({}), '/run/seccompile');
});

test.run();
