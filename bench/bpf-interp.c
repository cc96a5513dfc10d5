/*
 * A plain classic-BPF switch interpreter in C, the native baseline for bench/jit.bench.ts and
 * bench/interpreter.bench.ts: what a straightforward compiled interpreter manages on this machine.
 * Same semantics as src/bpf/interpreter.ts for the seccomp opcodes (kernel/bpf/core.c after
 * net/core/filter.c bpf_convert_filter): u32 arithmetic, A = X = 0 at start, division by an X of
 * 0 returns 0, shift counts modulo 32. Trusts its input: run only validated programs.
 *
 * Usage: bpf-interp PROGRAM.bpf RECORDS.bin ROUNDS
 *   PROGRAM.bpf: raw struct sock_filter[] in host byte order; RECORDS.bin: 64-byte seccomp_data
 *   records in host byte order. Prints "<evaluations per second> <sum of return values mod 2^32>"
 *   for the best of ROUNDS passes over all records.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sock_filter {
	uint16_t code;
	uint8_t jt;
	uint8_t jf;
	uint32_t k;
};

static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	void *buf = malloc(*len ? *len : 1);
	if (fread(buf, 1, *len, f) != *len) {
		perror(path);
		exit(1);
	}
	fclose(f);
	return buf;
}

static uint32_t run(const struct sock_filter *p, const uint8_t *data)
{
	uint32_t a = 0, x = 0, mem[16];
	for (unsigned pc = 0;; pc++) {
		const struct sock_filter *i = &p[pc];
		uint32_t k = i->k;
		switch (i->code) {
		case 0x20: memcpy(&a, data + k, 4); break; /* ld [k] */
		case 0x80: a = 64; break;                  /* ld #len */
		case 0x00: a = k; break;                   /* ld #k */
		case 0x60: a = mem[k]; break;              /* ld M[k] */
		case 0x01: x = k; break;                   /* ldx #k */
		case 0x61: x = mem[k]; break;              /* ldx M[k] */
		case 0x81: x = 64; break;                  /* ldx #len */
		case 0x02: mem[k] = a; break;              /* st */
		case 0x03: mem[k] = x; break;              /* stx */
		case 0x04: a += k; break;
		case 0x0c: a += x; break;
		case 0x14: a -= k; break;
		case 0x1c: a -= x; break;
		case 0x24: a *= k; break;
		case 0x2c: a *= x; break;
		case 0x34: a /= k; break;
		case 0x3c:
			if (x == 0)
				return 0;
			a /= x;
			break;
		case 0x44: a |= k; break;
		case 0x4c: a |= x; break;
		case 0x54: a &= k; break;
		case 0x5c: a &= x; break;
		case 0xa4: a ^= k; break;
		case 0xac: a ^= x; break;
		case 0x64: a <<= k; break;
		case 0x6c: a <<= (x & 31); break;
		case 0x74: a >>= k; break;
		case 0x7c: a >>= (x & 31); break;
		case 0x84: a = -a; break;
		case 0x07: x = a; break;
		case 0x87: a = x; break;
		case 0x05: pc += k; break;
		case 0x15: pc += (a == k) ? i->jt : i->jf; break;
		case 0x1d: pc += (a == x) ? i->jt : i->jf; break;
		case 0x25: pc += (a > k) ? i->jt : i->jf; break;
		case 0x2d: pc += (a > x) ? i->jt : i->jf; break;
		case 0x35: pc += (a >= k) ? i->jt : i->jf; break;
		case 0x3d: pc += (a >= x) ? i->jt : i->jf; break;
		case 0x45: pc += (a & k) ? i->jt : i->jf; break;
		case 0x4d: pc += (a & x) ? i->jt : i->jf; break;
		case 0x06: return k;
		case 0x16: return a;
		default: fprintf(stderr, "opcode 0x%x at %u\n", i->code, pc); exit(2);
		}
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s PROGRAM.bpf RECORDS.bin ROUNDS\n", argv[0]);
		return 2;
	}
	size_t plen, dlen;
	const struct sock_filter *prog = slurp(argv[1], &plen);
	const uint8_t *data = slurp(argv[2], &dlen);
	size_t n = dlen / 64;
	int rounds = atoi(argv[3]);
	double best = 0;
	uint32_t sum = 0;
	for (int r = 0; r < rounds; r++) {
		double t = now();
		uint32_t s = 0;
		for (size_t i = 0; i < n; i++)
			s += run(prog, data + 64 * i);
		double rate = (double)n / (now() - t);
		if (rate > best)
			best = rate;
		sum = s;
	}
	(void)plen;
	printf("%.0f %u\n", best, sum);
	return 0;
}
