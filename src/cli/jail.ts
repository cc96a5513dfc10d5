/**
 * `jail`: runs a command in namespaces, under cgroup limits and a seccomp policy.
 * Exit codes follow `docker run`: 125 for jail's own errors, 126 not executable, 127 not found.
 */
if (process.argv[1] && /jail(\.js|\.ts)?$/.test(process.argv[1])) {
  process.stderr.write('jail: not built yet\n');
  process.exitCode = 125;
}
export {};
