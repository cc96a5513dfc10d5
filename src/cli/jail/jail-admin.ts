/**
 * Entry of `jail ps` and `jail stop` (dist/cli/jail-admin.js): bin/jail loads it instead of
 * dist/cli/jail.js for these two, so they load the registry and nothing of the run path
 * (supervisor, koffi, policies). `jail enter` runs a jail stage and goes through jail.js.
 */
import { processIO } from '../io.js';
import { main as ps } from './jail-ps.js';
import { main as stop } from './jail-stop.js';

const [sub, ...rest] = process.argv.slice(2);
if (sub === 'ps' || sub === 'stop') {
  (sub === 'ps' ? ps : stop)(rest, processIO).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`jail ${sub}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 125;
    },
  );
}
