/*
 * The attacker inside a jail (test/security/escapes.test.ts): each action tries one way out
 * and prints one line "ACTION: RESULT", where RESULT is what the kernel answered: an errno
 * name (EROFS, EPERM, ...) when the attempt failed, or a word saying it worked. Actions are
 * separated by "+" on the command line:
 *
 *   attack write /proc/sys/vm/drop_caches 1 + mknod /tmp/x c 1 3 + caps
 *
 *   write PATH TEXT         open(O_WRONLY|O_TRUNC) and write TEXT          -> written | errno
 *   create PATH             open(O_WRONLY|O_CREAT)                          -> created | errno
 *   read PATH               read what there is                              -> read N | errno
 *   mknod PATH b|c MAJ MIN  mknod, then open the node read-only            -> opened | mknod/open errno
 *   mknod-fresh DIR b|c MAJ MIN   the same on a fresh tmpfs at DIR (not nodev; needs
 *                           CAP_SYS_ADMIN): only the device allow-list can stop the open
 *   tiocsti                 ioctl(0, TIOCSTI, "#")                           -> injected | errno
 *   inspector               SIGUSR1 to the parent (jail), then connect to 127.0.0.1:9229
 *                                                                         -> connected | errno
 *   join PATH               write our pid to a cgroup.procs file            -> moved | errno
 *   mount-cgroup DIR        mount a cgroup2 filesystem on DIR               -> mounted | errno
 *   fork N                  fork N children that sleep 2 s                  -> N' forked
 *   handle PATH             name_to_handle_at + open_by_handle_at           -> opened | errno
 *   mount-tmpfs DIR         mount a tmpfs on DIR                            -> mounted | errno
 *   unshare-user            unshare(CLONE_NEWUSER)                          -> unshared | errno
 *   vsock                   socket(AF_VSOCK, SOCK_STREAM)                   -> created | errno
 *   personality VALUE       personality(VALUE), then back to PER_LINUX     -> set | errno
 *   caps                    the effective set from /proc/self/status        -> hex
 *   cgroup                  /proc/self/cgroup, lines joined by ","          -> text
 *   list DIR                the names in DIR, sorted, joined by ","         -> text | errno
 *
 * It never runs anything harmful when an attempt works: devices are opened read-only and
 * not read, the TIOCSTI byte is a comment character, mounts go on directories of the jail.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

static const char *errname(int e) {
  switch (e) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EIO: return "EIO";
    case ENXIO: return "ENXIO";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case EACCES: return "EACCES";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR";
    case EINVAL: return "EINVAL";
    case ENOTTY: return "ENOTTY";
    case EROFS: return "EROFS";
    case ENOSYS: return "ENOSYS";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case ECONNREFUSED: return "ECONNREFUSED";
    case ENETUNREACH: return "ENETUNREACH";
    case ENODEV: return "ENODEV";
    case ESTALE: return "ESTALE";
    default: {
      static char buf[32];
      snprintf(buf, sizeof buf, "errno%d", e);
      return buf;
    }
  }
}

static void say(const char *action, const char *result) { printf("%s: %s\n", action, result); fflush(stdout); }
static void fail(const char *action) { say(action, errname(errno)); }

static void do_write(const char *path, const char *text, int create) {
  int fd = open(path, O_WRONLY | (create ? O_CREAT : O_TRUNC), 0644);
  if (fd < 0) return fail(create ? "create" : "write");
  if (!create && write(fd, text, strlen(text)) < 0) { close(fd); return fail("write"); }
  close(fd);
  say(create ? "create" : "write", create ? "created" : "written");
}

static void do_read(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return fail("read");
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  if (n < 0) return fail("read");
  char out[32];
  snprintf(out, sizeof out, "read %zd", n);
  say("read", out);
}

static void do_mknod(const char *path, const char *type, int major_, int minor_) {
  mode_t mode = (type[0] == 'b' ? S_IFBLK : S_IFCHR) | 0600;
  unlink(path);
  if (mknod(path, mode, makedev(major_, minor_)) < 0) {
    char out[48];
    snprintf(out, sizeof out, "mknod %s", errname(errno));
    return say("mknod", out);
  }
  int fd = open(path, O_RDONLY | O_NONBLOCK);
  int e = errno;
  unlink(path);
  if (fd < 0) {
    char out[48];
    snprintf(out, sizeof out, "open %s", errname(e));
    return say("mknod", out);
  }
  close(fd);
  say("mknod", "opened");
}

static void do_mknod_fresh(const char *dir, const char *type, int major_, int minor_) {
  if (mount("none", dir, "tmpfs", 0, NULL) < 0) return fail("mknod-fresh");
  char path[512];
  snprintf(path, sizeof path, "%s/n", dir);
  mode_t mode = (type[0] == 'b' ? S_IFBLK : S_IFCHR) | 0600;
  const char *result = "opened";
  char out[48];
  if (mknod(path, mode, makedev(major_, minor_)) < 0) {
    snprintf(out, sizeof out, "mknod %s", errname(errno));
    result = out;
  } else {
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    if (fd < 0) {
      snprintf(out, sizeof out, "open %s", errname(errno));
      result = out;
    } else {
      close(fd);
    }
  }
  umount2(dir, MNT_DETACH);
  say("mknod-fresh", result);
}

static void do_tiocsti(void) {
  char c = '#';
  if (ioctl(0, TIOCSTI, &c) < 0) return fail("tiocsti");
  say("tiocsti", "injected");
}

static void do_inspector(void) {
  kill(getppid(), SIGUSR1);
  usleep(500 * 1000);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return fail("inspector");
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9229)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int r = connect(fd, (struct sockaddr *)&a, sizeof a);
  int e = errno;
  close(fd);
  if (r < 0) { errno = e; return fail("inspector"); }
  say("inspector", "connected");
}

static void do_join(const char *path) {
  int fd = open(path, O_WRONLY);
  if (fd < 0) return fail("join");
  char pid[16];
  snprintf(pid, sizeof pid, "%d", getpid());
  if (write(fd, pid, strlen(pid)) < 0) { close(fd); return fail("join"); }
  close(fd);
  say("join", "moved");
}

static void do_fork(int n) {
  int made = 0;
  for (int i = 0; i < n; i++) {
    pid_t p = fork();
    if (p == 0) { sleep(2); _exit(0); }
    if (p > 0) made++;
  }
  char out[32];
  snprintf(out, sizeof out, "%d forked", made);
  say("fork", out);
  while (wait(NULL) > 0) {}
}

static void do_handle(const char *path) {
  struct { struct file_handle h; unsigned char bytes[128]; } fh;
  fh.h.handle_bytes = 128;
  int mount_id;
  if (name_to_handle_at(AT_FDCWD, path, &fh.h, &mount_id, 0) < 0) return fail("handle");
  int fd = open_by_handle_at(AT_FDCWD, &fh.h, O_RDONLY);
  if (fd < 0) return fail("handle");
  close(fd);
  say("handle", "opened");
}

static void do_mount(const char *action, const char *fstype, const char *dir) {
  if (mount("none", dir, fstype, 0, NULL) < 0) return fail(action);
  umount2(dir, MNT_DETACH);
  say(action, "mounted");
}

static void do_unshare_user(void) {
  if (unshare(CLONE_NEWUSER) < 0) return fail("unshare-user");
  say("unshare-user", "unshared");
}

static void do_vsock(void) {
  int fd = socket(AF_VSOCK, SOCK_STREAM, 0);
  if (fd < 0) return fail("vsock");
  close(fd);
  say("vsock", "created");
}

static void do_personality(unsigned long value) {
  if (personality(value) < 0) return fail("personality");
  personality(PER_LINUX);
  say("personality", "set");
}

static void do_status_line(const char *action, const char *file, const char *prefix) {
  FILE *f = fopen(file, "r");
  if (!f) return fail(action);
  char line[512], out[2048] = "";
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    if (prefix && strncmp(line, prefix, strlen(prefix)) != 0) continue;
    const char *v = prefix ? line + strlen(prefix) : line;
    while (*v == '\t' || *v == ' ') v++;
    if (out[0]) strncat(out, ",", sizeof out - strlen(out) - 1);
    strncat(out, v, sizeof out - strlen(out) - 1);
  }
  fclose(f);
  say(action, out);
}

static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

static void do_list(const char *dir) {
  struct dirent **names;
  int n = scandir(dir, &names, NULL, by_name);
  if (n < 0) return fail("list");
  char out[2048] = "";
  for (int i = 0; i < n; i++) {
    if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, "..")) {
      if (out[0]) strncat(out, ",", sizeof out - strlen(out) - 1);
      strncat(out, names[i]->d_name, sizeof out - strlen(out) - 1);
    }
    free(names[i]);
  }
  free(names);
  say("list", out);
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc;) {
    int end = i;
    while (end < argc && strcmp(argv[end], "+") != 0) end++;
    int n = end - i;
    char **a = argv + i;
    if (n == 3 && !strcmp(a[0], "write")) do_write(a[1], a[2], 0);
    else if (n == 2 && !strcmp(a[0], "create")) do_write(a[1], "", 1);
    else if (n == 2 && !strcmp(a[0], "read")) do_read(a[1]);
    else if (n == 5 && !strcmp(a[0], "mknod")) do_mknod(a[1], a[2], atoi(a[3]), atoi(a[4]));
    else if (n == 5 && !strcmp(a[0], "mknod-fresh")) do_mknod_fresh(a[1], a[2], atoi(a[3]), atoi(a[4]));
    else if (n == 1 && !strcmp(a[0], "tiocsti")) do_tiocsti();
    else if (n == 1 && !strcmp(a[0], "inspector")) do_inspector();
    else if (n == 2 && !strcmp(a[0], "join")) do_join(a[1]);
    else if (n == 2 && !strcmp(a[0], "mount-cgroup")) do_mount("mount-cgroup", "cgroup2", a[1]);
    else if (n == 2 && !strcmp(a[0], "fork")) do_fork(atoi(a[1]));
    else if (n == 2 && !strcmp(a[0], "handle")) do_handle(a[1]);
    else if (n == 2 && !strcmp(a[0], "mount-tmpfs")) do_mount("mount-tmpfs", "tmpfs", a[1]);
    else if (n == 1 && !strcmp(a[0], "unshare-user")) do_unshare_user();
    else if (n == 1 && !strcmp(a[0], "vsock")) do_vsock();
    else if (n == 2 && !strcmp(a[0], "personality")) do_personality(strtoul(a[1], NULL, 0));
    else if (n == 1 && !strcmp(a[0], "caps")) do_status_line("caps", "/proc/self/status", "CapEff:");
    else if (n == 1 && !strcmp(a[0], "cgroup")) do_status_line("cgroup", "/proc/self/cgroup", NULL);
    else if (n == 2 && !strcmp(a[0], "list")) do_list(a[1]);
    else {
      fprintf(stderr, "attack: unknown action or arguments: %s (%d)\n", a[0], n);
      return 2;
    }
    i = end + 1;
  }
  return 0;
}
