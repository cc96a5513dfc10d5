/*
 * The program learn mode's tests learn a policy for: a few calls ordinary programs rarely
 * make, from the main thread, from a second thread and from a forked child, and one call N
 * times (argv[1], default 1000000). Each prints "NAME: ok" or "NAME: <error>", so a run under
 * a policy shows which ones were refused. Raw syscall(2) throughout: libc may not wrap them
 * the same way everywhere.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char *what, long ret) {
  printf("%s: %s\n", what, ret < 0 ? strerror(errno) : "ok");
}

static void *second_thread(void *unused) {
  (void)unused;
  report("sched_get_priority_max", syscall(SYS_sched_get_priority_max, 0));
  return NULL;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  setvbuf(stdout, NULL, _IONBF, 0);
  struct itimerval timer;
  report("getitimer", syscall(SYS_getitimer, ITIMER_REAL, &timer));
  report("personality", syscall(SYS_personality, 0xffffffffUL));
  report("socket", syscall(SYS_socket, AF_UNIX, SOCK_DGRAM, 0));
  report("prctl", syscall(SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, 0));
  pthread_t thread;
  if (pthread_create(&thread, NULL, second_thread, NULL) != 0 || pthread_join(thread, NULL) != 0) {
    printf("pthread: failed\n");
    return 1;
  }
  pid_t child = fork();
  if (child == 0) {
    report("sched_get_priority_min", syscall(SYS_sched_get_priority_min, 0));
    _exit(0);
  }
  if (child < 0 || waitpid(child, NULL, 0) != child) {
    printf("fork: failed\n");
    return 1;
  }
  long failed = 0;
  for (long i = 0; i < n; i++) {
    if (syscall(SYS_getpriority, PRIO_PROCESS, 0) < 0) failed++;
  }
  printf("getpriority x%ld: %ld failed\n", n, failed);
  return 0;
}
