/**
 * Names of registered jails (`jail --name NAME`): what a name may be. A name is a directory in
 * the state directory (./registry.ts), so it must be one path component; the rule is Docker's
 * for container names, so names that work there work here.
 */
export const JAIL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export class JailNameError extends Error {
  override readonly name = 'JailNameError';
}

export function checkJailName(name: string): string {
  if (!JAIL_NAME.test(name)) {
    throw new JailNameError(`--name ${JSON.stringify(name)}: a name is 1 to 64 of A-Z a-z 0-9 _ . - and starts with a letter or digit`);
  }
  return name;
}
