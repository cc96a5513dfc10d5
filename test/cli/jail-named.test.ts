/**
 * Named jails: `jail --name` registers the run, `jail ps` lists it with its memory
 * use, `jail stop` ends it (SIGTERM, then SIGKILL after --timeout), the entry goes with the
 * run, a second run with a live name is refused, and the entry of a jail killed with SIGKILL
 * is swept by the next invocation. Each test process has its own state directory and names.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync } from 'node:fs';
import { hasCgroups, hasNamespaces, isRoot, need } from '../support/capabilities.js';
import { background, psJson, stateEnv, uniqueName, waitRunning } from '../support/container.js';
import { jail, sleep } from '../support/jail.js';

const ok =
  need('root', isRoot(), 'named jails', 'namespaces and cgroups need root') &&
  need('namespaces', hasNamespaces(), 'named jails', 'the kernel has no namespaces') &&
  need('cgroups', hasCgroups(), 'named jails', 'no cgroup hierarchy');

if (ok) {
  const env = stateEnv();
  const state = env.SECCOMPILE_STATE_DIR!;

  test('ps lists a named jail with its memory use; a live name clashes; stop ends it and ps forgets it', async () => {
    const name = uniqueName('t1');
    const run = background(['--name', name, '--memory', '64M', '--pids', '16', '--', 'sleep', '30'], env);
    const entry = await waitRunning(name, env, run);
    assert.ok(entry.command!.pid > 1);
    assert.is(entry.supervisor.pid, run.pid);
    assert.ok((entry.usage?.memory ?? 0) > 0, JSON.stringify(entry.usage));
    assert.is(entry.usage?.memorySource, 'cgroup');

    const ps = await jail(['ps'], { env });
    assert.is(ps.status, 0, ps.stderr);
    const [header, line] = ps.stdout.trim().split('\n');
    assert.match(header!, /^NAME\s+PID\s+COMMAND\s+UPTIME\s+MEMORY\s+PIDS\s+POLICY$/);
    assert.match(line!, new RegExp(`^${name}\\s+${entry.command!.pid}\\s+sleep 30\\s+\\d+s\\s+\\d+(\\.\\d)?[BKM] / 64M\\s+1 / 16\\s+default$`));

    const clash = await jail(['--name', name, '--', 'true'], { env });
    assert.is(clash.status, 125);
    assert.is(clash.stderr, `jail: register jail: a jail named ${name} is already running (pid ${entry.command!.pid}); stop it with jail stop ${name} or choose another --name\n`);

    // sleep is PID 1 and has no SIGTERM handler: the kernel drops SIGTERM, SIGKILL follows.
    const stop = await jail(['stop', name, '--timeout', '0.5'], { env });
    assert.is(stop.status, 0, stop.stderr);
    assert.is(stop.stderr, `jail stop: SIGTERM to ${name} (command, pid ${entry.command!.pid}); waiting up to 0.5s for it to end, then SIGKILL\n` +
      `jail stop: ${name} did not end within 0.5s: SIGKILL\n`);
    const ended = await run.ended;
    assert.is(ended.status, 137, ended.stderr);
    assert.equal((await psJson(env)).map((e) => e.name), []);
    assert.not.ok(existsSync(`${state}/${name}`));
  });

  test('stop with a signal the command handles: no SIGKILL, its own exit status', async () => {
    const name = uniqueName('trap');
    const run = background(['--name', name, '--no-seccomp', '--', '/bin/sh', '-c', 'trap "exit 3" TERM; while :; do sleep 0.1; done'], env);
    await waitRunning(name, env, run);
    const stop = await jail(['stop', '--signal', 'TERM', name], { env });
    assert.is(stop.status, 0, stop.stderr);
    assert.match(stop.stderr, new RegExp(`^jail stop: SIGTERM to ${name} \\(command, pid \\d+\\); waiting up to 10s for it to end, then SIGKILL\n$`));
    assert.is((await run.ended).status, 3);
  });

  test('kill -9 of jail: the command dies with it and the next invocation sweeps the stale entry', async () => {
    const name = uniqueName('stale');
    const run = background(['--name', name, '--', 'sleep', '30'], env);
    const entry = await waitRunning(name, env, run);
    process.kill(run.pid!, 'SIGKILL');
    await run.ended;
    assert.ok(existsSync(`${state}/${name}/jail.json`), 'the entry outlives a SIGKILLed supervisor');
    for (let i = 0; i < 100 && existsSync(`/proc/${entry.command!.pid}`); i++) await sleep(20);
    assert.not.ok(existsSync(`/proc/${entry.command!.pid}`), 'the command died with jail (PR_SET_PDEATHSIG)');
    assert.equal((await psJson(env)).map((e) => e.name), []);
    assert.equal(readdirSync(state).filter((n) => n.includes(name)), []);
    // The name is free again.
    const again = await jail(['--name', name, '--', 'true'], { env });
    assert.is(again.status, 0, again.stderr);
  });
}

test.run();
