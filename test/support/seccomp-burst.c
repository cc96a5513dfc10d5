/*
 * Produces a stream of seccomp kills, for tests of how jail names the syscall while other
 * processes on the machine are being killed by seccomp too (each kill makes the kernel emit an
 * AUDIT_SECCOMP record, and without auditd the printk path of kauditd is rate-limited).
 *
 *   seccomp-burst PAUSE_US   Forks children one after another until stdin reaches EOF; each
 *                            child installs a filter that kills the process on getppid() (any
 *                            other syscall is allowed) and calls getppid(). Prints "ready" once
 *                            50 children were killed, and "kills N" at the end.
 *
 * Safety: the only syscall the filter denies is getppid, which the child calls on purpose; the
 * kill happens before it executes. Other architectures are allowed (the child makes no compat
 * calls). Exits 2 with a message if seccomp is unavailable.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__)
#define HOST_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define HOST_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define HOST_AUDIT_ARCH AUDIT_ARCH_RISCV64
#else
#error "add this architecture's AUDIT_ARCH_*"
#endif

static struct sock_filter insns[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, HOST_AUDIT_ARCH, 0, 3),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

static int stdin_open(void) {
	char buf[64];
	ssize_t n = read(0, buf, sizeof buf);
	return !(n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR));
}

int main(int argc, char **argv) {
	long pause_us = argc > 1 ? atol(argv[1]) : 0;
	struct sock_fprog prog = { .len = sizeof insns / sizeof insns[0], .filter = insns };
	long kills = 0;
	fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
	while (stdin_open()) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 2;
		}
		if (pid == 0) {
			if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
				perror("seccomp");
				_exit(2);
			}
			syscall(__NR_getppid);
			_exit(0);
		}
		int status;
		if (waitpid(pid, &status, 0) < 0) {
			perror("waitpid");
			return 2;
		}
		if (WIFEXITED(status) && WEXITSTATUS(status) == 2) return 2;
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS && ++kills == 50) {
			printf("ready\n");
			fflush(stdout);
		}
		if (pause_us > 0) usleep(pause_us);
	}
	printf("kills %ld\n", kills);
	return 0;
}
