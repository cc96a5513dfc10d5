/*
 * Runs system calls under one seccomp filter, for test/kernel/compiler.test.ts.
 *
 *   filter-probe FILE [int80]
 *                       FILE (host byte order): u32 len, len * struct sock_filter,
 *                       u32 ncases, ncases * (u64 nr, u64 args[6]). With int80 (x86_64 only)
 *                       the calls go through int $0x80, as i386 syscalls (seccomp sees
 *                       AUDIT_ARCH_I386; the test passes 32-bit values, as an i386 process would).
 *   Prints one token per case: e<N> = the call failed with errno N, r<N> = it returned N,
 *   k<S> = the child was killed by signal S during this case (the next cases then run in a
 *   new child), x = not run; or "install <errno>" when seccomp() refused the filter.
 *
 * Safety: the tests only ever load filters whose every action is an ERRNO, so no probed call
 * executes, but then no call the child makes can succeed either (not even exit_group). So the
 * child installs the filter, runs the cases, reports through a MAP_SHARED page set up before
 * fork, and spins until the parent SIGKILLs it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct result {
	long ret;
	int err;
	int done;
};

#if defined(__x86_64__)
/* int $0x80 from 64-bit code: ebx, ecx, edx, esi, edi, ebp carry the arguments; rbp is saved
 * in r13 around the call (no stack use: the red zone may be live), r8-r11 are not preserved. */
static long int80(uint64_t nr, const uint64_t *a) {
	long ret;
	register uint64_t sixth __asm__("r12") = a[5];
	__asm__ volatile("mov %%rbp, %%r13\n\tmov %%r12, %%rbp\n\tint $0x80\n\tmov %%r13, %%rbp"
	                 : "=a"(ret)
	                 : "a"(nr), "b"(a[0]), "c"(a[1]), "d"(a[2]), "S"(a[3]), "D"(a[4]), "r"(sixth)
	                 : "memory", "r8", "r9", "r10", "r11", "r13");
	ret = (int)ret;
	if (ret < 0 && ret > -4096) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}
#endif

static void die(const char *what) {
	perror(what);
	exit(2);
}

int main(int argc, char **argv) {
	int use_int80 = argc == 3 && strcmp(argv[2], "int80") == 0;
	if (argc != 2 && !use_int80) {
		fprintf(stderr, "usage: filter-probe FILE [int80]\n");
		return 2;
	}
#if !defined(__x86_64__)
	if (use_int80) {
		fprintf(stderr, "filter-probe: int80 needs x86_64\n");
		return 2;
	}
#endif
	FILE *f = fopen(argv[1], "rb");
	if (!f) die(argv[1]);
	uint32_t len, ncases;
	if (fread(&len, 4, 1, f) != 1) die("read len");
	struct sock_filter *insns = calloc(len ? len : 1, sizeof *insns);
	if (!insns || fread(insns, sizeof *insns, len, f) != len) die("read filter");
	if (fread(&ncases, 4, 1, f) != 1) die("read ncases");
	uint64_t *cases = calloc((size_t)ncases * 7 + 1, 8);
	if (!cases || fread(cases, 8, (size_t)ncases * 7, f) != (size_t)ncases * 7) die("read cases");
	fclose(f);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) die("prctl(PR_SET_DUMPABLE)");

	size_t size = sizeof(int) * 2 + sizeof(struct result) * (ncases + 1);
	volatile int *head = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (head == MAP_FAILED) die("mmap");
	volatile struct result *res = (volatile struct result *)(head + 2);
	head[0] = 0; /* 1 installed, -errno refused */
	head[1] = 0; /* 1 all cases done */

	for (uint32_t start = 0; start < ncases;) {
		head[1] = 0;
		pid_t pid = fork();
		if (pid < 0) die("fork");
		if (pid == 0) {
			struct sock_fprog prog = { .len = (unsigned short)len, .filter = insns };
			if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)) {
				head[0] = -errno;
				__atomic_store_n(&head[1], 1, __ATOMIC_SEQ_CST);
				_exit(0);
			}
			head[0] = 1;
			for (uint32_t c = start; c < ncases; c++) {
				const uint64_t *k = cases + 7 * (size_t)c;
				errno = 0;
				res[c].done = 2; /* running */
				long r;
#if defined(__x86_64__)
				if (use_int80) r = int80(k[0], k + 1);
				else
#endif
					r = syscall((long)k[0], k[1], k[2], k[3], k[4], k[5], k[6]);
				res[c].ret = r;
				res[c].err = r == -1 ? errno : 0;
				res[c].done = 1;
			}
			__atomic_store_n(&head[1], 1, __ATOMIC_SEQ_CST);
			for (;;) sched_yield(); /* denied too; wait for SIGKILL */
		}
		int status = 0, reaped = 0;
		while (!__atomic_load_n(&head[1], __ATOMIC_SEQ_CST)) {
			if (waitpid(pid, &status, WNOHANG) == pid) {
				reaped = 1;
				break;
			}
			usleep(1000);
		}
		if (!reaped) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
		}
		if (head[0] < 0) break;
		if (!reaped) break; /* all cases ran */
		/* The child died on the case marked running: record its signal, go on after it. */
		uint32_t c = start;
		while (c < ncases && res[c].done == 1) c++;
		if (c >= ncases) break;
		res[c].done = 3;
		res[c].ret = WIFSIGNALED(status) ? WTERMSIG(status) : -1;
		start = c + 1;
	}
	if (head[0] < 0) {
		printf("install %d\n", -head[0]);
		return 0;
	}
	for (uint32_t c = 0; c < ncases; c++) {
		if (res[c].done == 3) printf("k%ld\n", res[c].ret);
		else if (res[c].done != 1) fputs("x\n", stdout);
		else if (res[c].err) printf("e%d\n", res[c].err);
		else printf("r%ld\n", res[c].ret);
	}
	return fflush(stdout) ? 2 : 0;
}
