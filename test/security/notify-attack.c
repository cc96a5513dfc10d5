/*
 * The attacker of jail's seccomp-notification path (test/security/notify-attacks.test.ts):
 * each action tries one way to get an answer jail did not mean, or to disturb its listener,
 * and prints one line "ACTION: RESULT". Actions are separated by "+" on the command line.
 *
 *   listener-fds            any fd of ours a seccomp listener (its link)  -> none | LISTENER fd N
 *   proc-fd PID|ppid        /proc/PID/fd and its threads' fds            -> none | LISTENER | errno
 *   getfd PID|ppid          pidfd_getfd of PID's fds 0..255              -> none | LISTENER | errno
 *   own-listener            install a filter with a listener of our own   -> installed | errno
 *   own-notif NR            install a filter notifying NR, no listener, then call NR -> errno | ret N
 *   call NR [A0 [A1]]       syscall(NR, A0, A1)                           -> errno | ret N
 *   int80 NR [A0]           the i386 syscall NR through int $0x80         -> errno | ret N
 *   flood T N NR ERRNO      T threads make N calls of NR each; answers other than ERRNO -> "T*N calls, W wrong"
 *   exec-race NR            threads call NR in a loop while the main thread execve()s "call NR"
 *   kill-waiting N NR       N times: fork a child calling NR in a loop, SIGKILL it -> killed N
 *   orphan NR               fork a child that calls NR forever, in a session of its own -> forked
 *   distinct FROM N         syscall(nr) for N numbers from FROM (none of them exists) -> N calls
 *   forever NR              call NR in a loop, never exit
 *
 * Every call it makes is harmless if a defence fails: getppid, getpgrp, numbers no kernel
 * has, a filter that allows everything, fds copied and closed unread.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

static void say(const char *action, const char *result) { printf("%s: %s\n", action, result); fflush(stdout); }

static void say_ret(const char *action, long r, int e) {
  char buf[64];
  if (r < 0) snprintf(buf, sizeof buf, "errno %d", e);
  else snprintf(buf, sizeof buf, "ret %ld", r);
  say(action, buf);
}

static int is_listener(const char *link) {
  char target[256];
  ssize_t n = readlink(link, target, sizeof target - 1);
  if (n < 0) return 0;
  target[n] = 0;
  return strstr(target, "seccomp notify") != NULL;
}

static void do_listener_fds(void) {
  char buf[64];
  for (int fd = 0; fd < 1024; fd++) {
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    if (is_listener(link)) {
      snprintf(buf, sizeof buf, "LISTENER fd %d", fd);
      return say("listener-fds", buf);
    }
  }
  say("listener-fds", "none");
}

/* The parent from /proc/self/stat: getppid is one of the calls the tests' policy refuses. */
static pid_t parent_pid(void) {
  char buf[512];
  FILE *f = fopen("/proc/self/stat", "r");
  if (!f) return -1;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  char *p = strrchr(buf, ')');
  int ppid = -1;
  if (!p || sscanf(p + 2, "%*c %d", &ppid) != 1) return -1;
  return ppid;
}

static pid_t pid_arg(const char *s) { return strcmp(s, "ppid") == 0 ? parent_pid() : (pid_t)atoi(s); }

/*
 * 1 when an entry of the fd directory DIR is a listener, by its link or by opening it (what
 * using it would take); else 0, or -errno when listing failed or no entry could be read.
 */
static int scan_fd_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return -errno;
  struct dirent *e;
  int found = 0, entries = 0, refused = 0, why = 0;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char link[512], target[64];
    snprintf(link, sizeof link, "%s/%s", dir, e->d_name);
    entries++;
    if (is_listener(link)) found = 1;
    int fd = open(link, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      refused++;
      why = errno;
      continue;
    }
    snprintf(target, sizeof target, "/proc/self/fd/%d", fd);
    if (is_listener(target)) found = 1;
    close(fd);
  }
  closedir(d);
  if (!found && entries > 0 && refused == entries) return -why;
  return found;
}

static void do_proc_fd(const char *who) {
  pid_t pid = pid_arg(who);
  char dir[128];
  snprintf(dir, sizeof dir, "/proc/%d/fd", pid);
  int r = scan_fd_dir(dir);
  if (r < 0) {
    char buf[32];
    snprintf(buf, sizeof buf, "errno %d", -r);
    return say("proc-fd", buf);
  }
  snprintf(dir, sizeof dir, "/proc/%d/task", pid);
  DIR *d = opendir(dir);
  struct dirent *e;
  while (d && (e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char sub[512];
    snprintf(sub, sizeof sub, "%s/%s/fd", dir, e->d_name);
    if (scan_fd_dir(sub) > 0) r = 1;
  }
  if (d) closedir(d);
  say("proc-fd", r ? "LISTENER" : "none");
}

static void do_getfd(const char *who) {
  pid_t pid = pid_arg(who);
  int pidfd = syscall(SYS_pidfd_open, pid, 0);
  char buf[64];
  if (pidfd < 0) {
    snprintf(buf, sizeof buf, "pidfd_open errno %d", errno);
    return say("getfd", buf);
  }
  int copied = 0, last = 0;
  for (int fd = 0; fd < 256; fd++) {
    int got = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
    if (got < 0) {
      if (errno != EBADF) last = errno;
      continue;
    }
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", got);
    int listener = is_listener(link);
    close(got);
    if (listener) return say("getfd", "LISTENER");
    copied++;
  }
  close(pidfd);
  if (copied == 0 && last != 0) snprintf(buf, sizeof buf, "pidfd_getfd errno %d", last);
  else snprintf(buf, sizeof buf, "none");
  say("getfd", buf);
}

static long install(struct sock_filter *insns, unsigned short n, unsigned int flags) {
  struct sock_fprog prog = { .len = n, .filter = insns };
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
  return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

static void do_own_listener(void) {
  struct sock_filter allow[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
  long r = install(allow, 1, SECCOMP_FILTER_FLAG_NEW_LISTENER);
  if (r < 0) say_ret("own-listener", r, errno);
  else say("own-listener", "installed");
}

static void do_own_notif(long nr) {
  struct sock_filter f[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned int)nr, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  long r = install(f, 4, 0);
  if (r < 0) return say_ret("own-notif install", r, errno);
  errno = 0;
  r = syscall(nr, 0);
  say_ret("own-notif", r, errno);
}

static void do_call(long nr, long a0, long a1) {
  errno = 0;
  long r = syscall(nr, a0, a1);
  say_ret("call", r, errno);
}

static void do_int80(long nr, long a0) {
#if defined(__x86_64__)
  long r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a0) : "memory");
  if (r < 0 && r > -4096) say_ret("int80", -1, (int)-r);
  else say_ret("int80", r, 0);
#else
  (void)nr;
  (void)a0;
  say("int80", "unsupported");
#endif
}

struct flood { long nr, calls; int expect; long wrong; };

static void *flood_thread(void *p) {
  struct flood *f = p;
  for (long i = 0; i < f->calls; i++) {
    long r = syscall(f->nr);
    if (!(r == -1 && errno == f->expect)) f->wrong++;
  }
  return NULL;
}

static void do_flood(int threads, long calls, long nr, int expect) {
  pthread_t t[256];
  struct flood f[256];
  if (threads > 256) threads = 256;
  for (int i = 0; i < threads; i++) {
    f[i] = (struct flood){ nr, calls, expect, 0 };
    pthread_create(&t[i], NULL, flood_thread, &f[i]);
  }
  long wrong = 0;
  for (int i = 0; i < threads; i++) {
    pthread_join(t[i], NULL);
    wrong += f[i].wrong;
  }
  char buf[64];
  snprintf(buf, sizeof buf, "%ld calls, %ld wrong", threads * calls, wrong);
  say("flood", buf);
}

static void *loop_thread(void *p) {
  long nr = (long)p;
  for (;;) syscall(nr);
  return NULL;
}

static void do_exec_race(long nr) {
  pthread_t t;
  for (int i = 0; i < 8; i++) pthread_create(&t, NULL, loop_thread, (void *)nr);
  usleep(20000);
  char arg[32];
  snprintf(arg, sizeof arg, "%ld", nr);
  char *argv[] = { "notify-attack", "call", arg, NULL };
  execv("/proc/self/exe", argv);
  say_ret("exec-race", -1, errno);
}

static void do_kill_waiting(int n, long nr) {
  int killed = 0;
  for (int i = 0; i < n; i++) {
    int ready[2];
    if (pipe(ready) != 0) break;
    pid_t child = fork();
    if (child == 0) {
      syscall(nr);
      if (write(ready[1], "r", 1) != 1) _exit(1);
      for (;;) syscall(nr);
    }
    close(ready[1]);
    // Killed once it has made a call (its first one waits for jail, or its answer is on the way).
    char c;
    if (read(ready[0], &c, 1) != 1) break;
    usleep(1000);
    kill(child, SIGKILL);
    int status;
    if (waitpid(child, &status, 0) == child && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) killed++;
    close(ready[0]);
  }
  char buf[32];
  snprintf(buf, sizeof buf, "killed %d", killed);
  say("kill-waiting", buf);
}

static void do_orphan(long nr) {
  pid_t child = fork();
  if (child == 0) {
    setsid();
    for (;;) syscall(nr);
  }
  say("orphan", child > 0 ? "forked" : "fork failed");
}

static void do_distinct(long from, long n) {
  for (long i = 0; i < n; i++) syscall(from + i);
  char buf[32];
  snprintf(buf, sizeof buf, "%ld calls", n);
  say("distinct", buf);
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc;) {
    int end = i;
    while (end < argc && strcmp(argv[end], "+") != 0) end++;
    char **a = argv + i;
    int n = end - i;
    // Numbers as unsigned: 0xffffffffffffffff is one argument a test may pass.
    long a1 = n > 1 ? (long)strtoul(a[1], NULL, 0) : 0, a2 = n > 2 ? (long)strtoul(a[2], NULL, 0) : 0;
    long a3 = n > 3 ? (long)strtoul(a[3], NULL, 0) : 0;
    if (n == 1 && !strcmp(a[0], "listener-fds")) do_listener_fds();
    else if (n == 2 && !strcmp(a[0], "proc-fd")) do_proc_fd(a[1]);
    else if (n == 2 && !strcmp(a[0], "getfd")) do_getfd(a[1]);
    else if (n == 1 && !strcmp(a[0], "own-listener")) do_own_listener();
    else if (n == 2 && !strcmp(a[0], "own-notif")) do_own_notif(a1);
    else if (n >= 2 && n <= 4 && !strcmp(a[0], "call")) do_call(a1, a2, a3);
    else if ((n == 2 || n == 3) && !strcmp(a[0], "int80")) do_int80(a1, a2);
    else if (n == 5 && !strcmp(a[0], "flood")) do_flood((int)a1, a2, strtol(a[3], NULL, 0), atoi(a[4]));
    else if (n == 2 && !strcmp(a[0], "exec-race")) do_exec_race(a1);
    else if (n == 3 && !strcmp(a[0], "kill-waiting")) do_kill_waiting((int)a1, a2);
    else if (n == 2 && !strcmp(a[0], "orphan")) do_orphan(a1);
    else if (n == 3 && !strcmp(a[0], "distinct")) do_distinct(a1, a2);
    else if (n == 2 && !strcmp(a[0], "forever")) for (;;) syscall(a1);
    else {
      fprintf(stderr, "notify-attack: unknown action %s\n", a[0]);
      return 2;
    }
    i = end + 1;
  }
  return 0;
}
