/*
 * Kernel probe for the tests in test/kernel/: loads classic-BPF programs as seccomp filters, each in
 * a fresh child (filters stack and cannot be removed), and reports what the kernel did.
 *
 *   probe accept FILE   FILE: u32 count, then per program: u32 len, len * struct sock_filter.
 *                       Prints one line per program: 0 when seccomp() accepted it, else errno.
 *   probe eval FILE     FILE: u32 count, then per program: u32 len, u32 ncases,
 *                       len * struct sock_filter, ncases * (u64 nr, u64 args[6]).
 *                       Prints one line per program: "ok" and a token per case, where
 *                       e<N> = the syscall failed with errno N, r<N> = it returned N,
 *                       k<S> = the child was killed by signal S on this case;
 *                       or "install <errno>" when seccomp() refused the filter.
 *
 * Safety: in `accept` mode a child that loaded an arbitrary filter may be unable to make any
 * syscall, so it reports through a MAP_SHARED page set up before fork and waits to be SIGKILLed
 * by the parent. In `eval` mode the test prefixes every filter with a prelude that
 * allows all syscalls outside its probe set (getppid and unassigned numbers) and answers the
 * probe set only with ERRNO (or KILL after a division by zero), so no probe syscall executes.
 * Numbers are host byte order (the test runs on the machine it loads filters into).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CASES 4096

struct shared {
	volatile int done;      /* accept: the child wrote `status` */
	volatile int status;    /* accept: 0 or errno of seccomp() */
	volatile int installed; /* eval: 1 when the filter is in place, -errno when refused */
	volatile int progress;  /* eval: index of the case the child is running */
	volatile long ret[MAX_CASES];
	volatile int err[MAX_CASES];
};

static const unsigned char *input, *end;

static void die(const char *what) {
	perror(what);
	exit(2);
}

static const void *take(size_t n) {
	if ((size_t)(end - input) < n) {
		fprintf(stderr, "probe: truncated input\n");
		exit(2);
	}
	const void *p = input;
	input += n;
	return p;
}

static uint32_t take_u32(void) {
	uint32_t v;
	memcpy(&v, take(4), 4);
	return v;
}

static void read_file(const char *path) {
	FILE *f = fopen(path, "rb");
	if (!f) die(path);
	size_t cap = 1 << 20, len = 0;
	unsigned char *buf = malloc(cap);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) buf = realloc(buf, cap *= 2);
	}
	if (!buf) die("malloc");
	fclose(f);
	input = buf;
	end = buf + len;
}

static int load_filter(struct sock_filter *insns, uint32_t len) {
	struct sock_fprog prog = { .len = (unsigned short)len, .filter = insns };
	if (len > 0xffff) prog.len = 0; /* never happens with the test's programs; keep it rejectable */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) return errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)) return errno;
	return 0;
}

static void accept_mode(struct shared *sh) {
	uint32_t count = take_u32();
	for (uint32_t i = 0; i < count; i++) {
		uint32_t len = take_u32();
		struct sock_filter *insns = (struct sock_filter *)take((size_t)len * 8);
		sh->done = 0;
		pid_t pid = fork();
		if (pid < 0) die("fork");
		if (pid == 0) {
			sh->status = load_filter(insns, len);
			__atomic_store_n(&sh->done, 1, __ATOMIC_SEQ_CST);
			for (;;) pause(); /* may be allowed, denied or killed by the filter: wait for SIGKILL */
		}
		int status, reaped = 0;
		const struct timespec tick = { 0, 20000 };
		while (!__atomic_load_n(&sh->done, __ATOMIC_SEQ_CST)) {
			/* The filter may kill the child right after it reported: look at `done` again. */
			if (waitpid(pid, &status, WNOHANG) == pid) {
				reaped = 1;
				break;
			}
			nanosleep(&tick, NULL);
		}
		if (!__atomic_load_n(&sh->done, __ATOMIC_SEQ_CST)) {
			fprintf(stderr, "probe: child died before reporting (status 0x%x)\n", status);
			exit(2);
		}
		if (!reaped) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0)
				if (errno != EINTR) die("waitpid");
		}
		printf("%d\n", sh->status);
	}
}

static void eval_mode(struct shared *sh) {
	uint32_t count = take_u32();
	for (uint32_t i = 0; i < count; i++) {
		uint32_t len = take_u32(), ncases = take_u32();
		if (ncases > MAX_CASES) {
			fprintf(stderr, "probe: too many cases\n");
			exit(2);
		}
		struct sock_filter *insns = (struct sock_filter *)take((size_t)len * 8);
		const uint64_t *cases = (const uint64_t *)take((size_t)ncases * 7 * 8);
		char *tokens = calloc(ncases, 32);
		if (!tokens) die("calloc");
		int install = 0;
		for (uint32_t start = 0; start < ncases && install == 0;) {
			sh->installed = 0;
			sh->progress = -1;
			pid_t pid = fork();
			if (pid < 0) die("fork");
			if (pid == 0) {
				int e = load_filter(insns, len);
				sh->installed = e ? -e : 1;
				if (e) _exit(0);
				for (uint32_t c = start; c < ncases; c++) {
					const uint64_t *k = cases + 7 * c;
					sh->progress = (int)c;
					long r = syscall((long)k[0], k[1], k[2], k[3], k[4], k[5], k[6]);
					sh->ret[c] = r;
					sh->err[c] = r == -1 ? errno : 0;
				}
				_exit(0); /* exit_group is outside the probe set: the prelude allows it */
			}
			int status;
			while (waitpid(pid, &status, 0) < 0)
				if (errno != EINTR) die("waitpid");
			if (sh->installed < 0) {
				install = -sh->installed;
				break;
			}
			uint32_t stop = ncases;
			if (WIFSIGNALED(status)) {
				if (sh->progress < (int)start) {
					fprintf(stderr, "probe: child killed by signal %d before its first case\n", WTERMSIG(status));
					exit(2);
				}
				stop = (uint32_t)sh->progress;
				snprintf(tokens + 32 * stop, 32, "k%d", WTERMSIG(status));
			}
			for (uint32_t c = start; c < stop; c++) {
				if (sh->err[c]) snprintf(tokens + 32 * c, 32, "e%d", sh->err[c]);
				else snprintf(tokens + 32 * c, 32, "r%ld", sh->ret[c]);
			}
			start = stop + (WIFSIGNALED(status) ? 1 : 0);
		}
		if (install) printf("install %d\n", install);
		else {
			fputs("ok", stdout);
			for (uint32_t c = 0; c < ncases; c++) printf(" %s", tokens + 32 * c);
			putchar('\n');
		}
		free(tokens);
	}
}

int main(int argc, char **argv) {
	if (argc != 3 || (strcmp(argv[1], "accept") && strcmp(argv[1], "eval"))) {
		fprintf(stderr, "usage: probe accept|eval FILE\n");
		return 2;
	}
	read_file(argv[2]);
	/* Children killed by SIGSYS must not leave core dumps behind (inherited across fork). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) die("prctl(PR_SET_DUMPABLE)");
	struct shared *sh = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) die("mmap");
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (!strcmp(argv[1], "accept")) accept_mode(sh);
	else eval_mode(sh);
	if (input != end) {
		fprintf(stderr, "probe: %ld trailing bytes\n", (long)(end - input));
		return 2;
	}
	return fflush(stdout) ? 2 : 0;
}
