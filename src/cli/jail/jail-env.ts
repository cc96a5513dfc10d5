/**
 * bin/jail and bin/seccompile set NODE_EXTRA_CA_CERTS aside before they start Node: reading and
 * parsing that bundle is about 30 ms of every Node start here, and neither makes a TLS
 * connection. This puts it back, first thing, so the environment of what they start is the
 * user's own.
 */
export const SET_ASIDE = 'SECCOMPILE_NODE_EXTRA_CA_CERTS';

export function restoreSetAsideEnv(env: NodeJS.ProcessEnv = process.env): void {
  const saved = env[SET_ASIDE];
  if (saved === undefined) return;
  env.NODE_EXTRA_CA_CERTS = saved;
  delete env[SET_ASIDE];
}
