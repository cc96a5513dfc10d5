/**
 * Cgroup backends without touching the real hierarchy: mountinfo parsing, the v1/v2 choice,
 * the files each backend writes (on fake trees in a temp dir), run names and staleness.
 * The real hierarchies are exercised by test/cli/jail-cgroups.test.ts and jail-cleanup.test.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v1DeviceRules } from '../../src/launcher/cgroups/device-cgroup.js';
import { createCgroup, isStale, parseCgroupMounts, planCgroup, processStartTime, runName } from '../../src/launcher/cgroups/cgroups.js';

const MOUNTINFO = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
`;

test('parseCgroupMounts: v1 controllers by hierarchy (co-mounted ones too), the v2 mount, named hierarchies ignored', () => {
  const m = parseCgroupMounts(MOUNTINFO);
  assert.is(m.v2, '/sys/fs/cgroup/unified');
  assert.equal([...m.v1].sort(), [
    ['cpu', '/sys/fs/cgroup/cpu,cpuacct'],
    ['cpuacct', '/sys/fs/cgroup/cpu,cpuacct'],
    ['memory', '/sys/fs/cgroup/memory'],
    ['pids', '/sys/fs/cgroup/pids'],
  ]);
});

function fakeV2(controllers: string): string {
  const root = mkdtempSync(join(tmpdir(), 'jail-cg2-'));
  writeFileSync(join(root, 'cgroup.controllers'), controllers);
  writeFileSync(join(root, 'cgroup.subtree_control'), '');
  return root;
}

test('planCgroup: v2 when it has the controllers, else v1, else an error naming what is missing', () => {
  const full = fakeV2('cpuset cpu io memory hugetlb pids');
  const poor = fakeV2('hugetlb');
  const v1 = new Map([['memory', '/m'], ['pids', '/p'], ['cpu', '/c']]);
  assert.is(planCgroup({ v2: full, v1 }, { memory: 1 }).version, 2);
  const p = planCgroup({ v2: poor, v1 }, { memory: 1, pids: 5 });
  assert.is(p.version, 1);
  if (p.version === 1) assert.equal(p.hierarchies, ['/m', '/p']);
  // No limits: the v2 hierarchy tracks the run even without controllers.
  assert.is(planCgroup({ v2: poor, v1 }, {}).version, 2);
  // No limits and v1 only: tracked in the pids hierarchy.
  const t = planCgroup({ v1 }, {});
  assert.ok(t.version === 1 && t.hierarchies.length === 1 && t.hierarchies[0] === '/p');
  assert.throws(() => planCgroup({ v2: poor, v1: new Map() }, { cpus: 1 }), /controller cpu not available \(cgroup v2 at .* has only "hugetlb"/);
});

test('planCgroup with the device allow-list: a flag on v2, the devices hierarchy (joined early) on v1', () => {
  const poor = fakeV2('hugetlb');
  const v1 = new Map([['memory', '/m'], ['pids', '/p'], ['devices', '/d']]);
  assert.equal(planCgroup({ v2: poor, v1 }, {}, true), { version: 2, root: poor, controllers: [], devices: true });
  const p = planCgroup({ v2: poor, v1 }, { pids: 5 }, true);
  assert.ok(p.version === 1 && p.devices === '/d');
  if (p.version === 1) assert.equal(p.hierarchies, ['/p', '/d']);
  // Without a devices hierarchy v1 has no allow-list to offer.
  const none = planCgroup({ v1: new Map([['pids', '/p']]) }, { pids: 5 }, true);
  assert.ok(none.version === 1 && none.devices === undefined);
  const rules = v1DeviceRules();
  assert.is(rules.deny, 'a');
  assert.equal(rules.allow, ['c *:* m', 'b *:* m', 'c 1:3 rwm', 'c 1:5 rwm', 'c 1:7 rwm', 'c 1:8 rwm', 'c 1:9 rwm', 'c 5:0 rwm', 'c 5:2 rwm', 'c 136:* rwm']);
});

test('the v1 devices hierarchy gets deny-all and the allow-list, and is joined early', () => {
  const d = mkdtempSync(join(tmpdir(), 'cg-devices-'));
  const p = mkdtempSync(join(tmpdir(), 'cg-pids-'));
  const plan = { version: 1 as const, hierarchies: [p, d], byController: new Map([['pids', p]] as const), devices: d };
  const cg = createCgroup(plan, { pids: 5 }, 'jail-1-2-3');
  const dir = join(d, 'seccompile', 'jail-1-2-3');
  assert.is(read(dir, 'devices.deny'), 'a');
  assert.is(read(dir, 'devices.allow'), 'c 136:* rwm'); // a plain file keeps the last write
  assert.equal(cg.earlyProcsFiles, [join(dir, 'cgroup.procs')]);
  rmSync(d, { recursive: true, force: true });
  rmSync(p, { recursive: true, force: true });
});

const read = (...p: string[]) => readFileSync(join(...p), 'utf8');

test('v2 backend: enables controllers top-down, writes memory.max, pids.max, cpu.max', () => {
  const root = fakeV2('cpu memory pids');
  const name = 'jail-1-2-abcd';
  const cg = createCgroup({ version: 2, root, controllers: ['memory', 'pids', 'cpu'] }, { memory: 10 << 20, pids: 32, cpus: 0.5 }, name);
  const dir = join(root, 'seccompile', name);
  assert.equal(cg.dirs, [dir]);
  assert.equal(cg.procsFiles, [join(dir, 'cgroup.procs')]);
  assert.is(read(root, 'cgroup.subtree_control'), '+memory +pids +cpu');
  assert.is(read(root, 'seccompile', 'cgroup.subtree_control'), '+memory +pids +cpu');
  assert.is(read(dir, 'memory.max'), String(10 << 20));
  assert.is(read(dir, 'pids.max'), '32');
  assert.is(read(dir, 'cpu.max'), '50000 100000');
  writeFileSync(join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n');
  writeFileSync(join(dir, 'pids.events'), 'max 7\n');
  assert.equal(cg.events(), { oomKills: 1, pidsRefused: 7 });
});

test('v2 backend: --memory-swap without swap accounting is an error', () => {
  const root = fakeV2('memory');
  assert.throws(
    () => createCgroup({ version: 2, root, controllers: ['memory'] }, { memory: 1 << 20, memorySwap: 2 << 20 }, 'jail-1-2-ab'),
    /--memory-swap needs swap accounting/,
  );
});

test('v1 backend: one directory per hierarchy, v1 file names', () => {
  const base = mkdtempSync(join(tmpdir(), 'jail-cg1-'));
  const [m, p, c] = ['memory', 'pids', 'cpu'].map((h) => {
    mkdirSync(join(base, h));
    return join(base, h);
  }) as [string, string, string];
  const plan = { version: 1 as const, hierarchies: [m, p, c], byController: new Map([['memory', m], ['pids', p], ['cpu', c]] as const) };
  const name = 'jail-1-2-cd';
  const cg = createCgroup(plan, { memory: 50 << 20, pids: 32, cpus: 0.2 }, name);
  assert.equal(cg.dirs, [m, p, c].map((h) => join(h, 'seccompile', name)));
  assert.is(read(m, 'seccompile', name, 'memory.limit_in_bytes'), String(50 << 20));
  assert.is(read(p, 'seccompile', name, 'pids.max'), '32');
  assert.is(read(c, 'seccompile', name, 'cpu.cfs_period_us'), '100000');
  assert.is(read(c, 'seccompile', name, 'cpu.cfs_quota_us'), '20000');
  writeFileSync(join(m, 'seccompile', name, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
  assert.equal(cg.events(), { oomKills: 2, pidsRefused: 0 });
});

test('join moments: hierarchies that enforce a limit are joined late (by the init stage), the others early (by the supervisor)', () => {
  const base = mkdtempSync(join(tmpdir(), 'jail-cgj-'));
  const [m, p] = ['memory', 'pids'].map((h) => {
    mkdirSync(join(base, h));
    return join(base, h);
  }) as [string, string];
  const procs = (h: string, name: string) => join(h, 'seccompile', name, 'cgroup.procs');
  const rows: Array<{ what: string; make: (name: string) => ReturnType<typeof createCgroup>; late: (n: string) => string[]; early: (n: string) => string[] }> = [
    {
      what: 'v2 without limits',
      make: (name) => createCgroup({ version: 2, root: fakeV2('memory pids'), controllers: [] }, {}, name),
      late: () => [],
      early: () => ['v2'],
    },
    {
      what: 'v2 with a pids limit',
      make: (name) => createCgroup({ version: 2, root: fakeV2('memory pids'), controllers: ['pids'] }, { pids: 8 }, name),
      late: () => ['v2'],
      early: () => [],
    },
    {
      what: 'v1 tracking only (no limits)',
      make: (name) => createCgroup({ version: 1, hierarchies: [p], byController: new Map() }, {}, name),
      late: () => [],
      early: (n) => [procs(p, n)],
    },
    {
      what: 'v1 memory limit',
      make: (name) => createCgroup({ version: 1, hierarchies: [m], byController: new Map([['memory', m]] as const) }, { memory: 1 << 20 }, name),
      late: (n) => [procs(m, n)],
      early: () => [],
    },
  ];
  for (const [i, row] of rows.entries()) {
    const name = `jail-1-2-${i}`;
    const cg = row.make(name);
    // 'v2' stands for the one cgroup.procs of a v2 run.
    const expand = (files: string[]) => files.map((f) => (f === 'v2' ? cg.procsFiles[0]! : f));
    assert.equal(cg.lateProcsFiles, expand(row.late(name)), `${row.what}: late`);
    assert.equal(cg.earlyProcsFiles, expand(row.early(name)), `${row.what}: early`);
    assert.equal([...cg.lateProcsFiles, ...cg.earlyProcsFiles].sort(), [...cg.procsFiles].sort(), `${row.what}: every hierarchy once`);
  }
});

test('runName and isStale: a live run is not stale; a dead pid or a reused pid is', () => {
  const name = runName();
  assert.match(name, new RegExp(`^jail-${process.pid}-\\d+-[0-9a-f]{8}$`));
  assert.not.ok(isStale(name));
  assert.ok(isStale(`jail-${process.pid}-1-abcd`)); // same pid, other start time: reused
  assert.ok(isStale('jail-999999999-1-abcd'));
  assert.not.ok(isStale('not-a-jail'));
  assert.ok(processStartTime('self'));
});

test.run();
