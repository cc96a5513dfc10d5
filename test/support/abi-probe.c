/*
 * Makes system calls through each x86_64 kernel ABI from one 64-bit process, for the tests that
 * need the IA-32 and x32 entry points (test/support/abi-probe.ts):
 *   x86_64            the syscall instruction, x86_64 numbers
 *   i386              int $0x80, i386 numbers (the kernel runs it as a 32-bit syscall: seccomp
 *                     sees AUDIT_ARCH_I386) when it has IA-32 emulation
 *   i386-socketcall   int $0x80, socketcall(SYS_SOCKET, args) with args in the low 4 GiB
 *   x32               the syscall instruction with __X32_SYSCALL_BIT (x32 numbers), when the
 *                     kernel has the x32 ABI (CONFIG_X86_X32_ABI and syscall.x32=y)
 *
 *   abi-probe features        prints "ia32 yes|no" and "x32 yes|no": whether getpid through
 *                             that ABI returns our pid (tried in a child: without IA-32
 *                             emulation int $0x80 raises SIGSEGV)
 *   abi-probe socket ABI...   for each ABI, socket(AF_INET) then socket(AF_UNIX), one line each:
 *                             "ABI inet ok" or "ABI inet e<errno>"
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define X32_SYSCALL_BIT 0x40000000L
#define I386_GETPID 20
#define I386_SOCKETCALL 102
#define I386_SOCKET 359
#define X32_GETPID 39
#define X32_SOCKET 41
#define SYS_SOCKET_CALL 1

/* int $0x80 from 64-bit code: ebx, ecx, edx carry the arguments; r8-r11 are not preserved. */
static long int80(long nr, long a, long b, long c) {
	long ret;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory", "r8", "r9", "r10", "r11");
	return (int)ret;
}

/* The result as the tests print it: "ok" (and the descriptor closed) or "e<errno>". */
static void report(const char *abi, const char *family, long ret) {
	if (ret >= 0) {
		close((int)ret);
		printf("%s %s ok\n", abi, family);
	} else {
		printf("%s %s e%ld\n", abi, family, -ret);
	}
}

static long via_libc(long r) {
	return r < 0 ? -errno : r;
}

static long open_socket(const char *abi, int family) {
	if (strcmp(abi, "x86_64") == 0) return via_libc(syscall(SYS_socket, family, SOCK_STREAM, 0));
	if (strcmp(abi, "x32") == 0) return via_libc(syscall(X32_SYSCALL_BIT | X32_SOCKET, family, SOCK_STREAM, 0));
	if (strcmp(abi, "i386") == 0) return int80(I386_SOCKET, family, SOCK_STREAM, 0);
	if (strcmp(abi, "i386-socketcall") == 0) {
		/* compat socketcall reads u32 arguments through a 32-bit pointer. */
		uint32_t *args = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
		if (args == MAP_FAILED) return -errno;
		args[0] = (uint32_t)family;
		args[1] = SOCK_STREAM;
		args[2] = 0;
		long r = int80(I386_SOCKETCALL, SYS_SOCKET_CALL, (long)(uintptr_t)args, 0);
		munmap(args, 4096);
		return r;
	}
	fprintf(stderr, "abi-probe: unknown ABI %s (x86_64, i386, i386-socketcall, x32)\n", abi);
	return -100000;
}

/* 1 when getpid through `abi` returns our pid, in a child so that a fault only ends the child. */
static int works(const char *abi) {
	pid_t child = fork();
	if (child < 0) return 0;
	if (child == 0) {
		long pid = strcmp(abi, "ia32") == 0 ? int80(I386_GETPID, 0, 0, 0) : syscall(X32_SYSCALL_BIT | X32_GETPID);
		_exit(pid == getpid() ? 0 : 1);
	}
	int status;
	while (waitpid(child, &status, 0) < 0) {
		if (errno != EINTR) return 0;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(int argc, char **argv) {
	if (argc == 2 && strcmp(argv[1], "features") == 0) {
		printf("ia32 %s\nx32 %s\n", works("ia32") ? "yes" : "no", works("x32") ? "yes" : "no");
		return 0;
	}
	if (argc >= 3 && strcmp(argv[1], "socket") == 0) {
		for (int i = 2; i < argc; i++) {
			long inet = open_socket(argv[i], AF_INET);
			if (inet == -100000) return 2;
			report(argv[i], "inet", inet);
			report(argv[i], "unix", open_socket(argv[i], AF_UNIX));
		}
		return fflush(stdout) ? 2 : 0;
	}
	fprintf(stderr, "usage: abi-probe features | abi-probe socket ABI...\n");
	return 2;
}
