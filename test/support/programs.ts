/**
 * Hand-written seccomp programs for tests (disassembler goldens, annotations, CLI), built with the
 * kernel-macro constructors and hand-computed jump offsets so they do not depend on the assembler
 * or the compiler. Each is a valid seccomp filter; the comments give the intended disassembly.
 */
import { BPF_ALU_OP, BPF_CLASS, BPF_JMP_OP, BPF_MISCOP, BPF_MODE, BPF_RVAL, BPF_SIZE, BPF_SRC, jump, stmt, type Insn } from '../../src/bpf/isa.js';

const { LD, LDX, ST, STX, ALU, JMP, RET, MISC } = BPF_CLASS;
const LD_ABS = LD | BPF_SIZE.W | BPF_MODE.ABS;
const JEQ = JMP | BPF_JMP_OP.JEQ | BPF_SRC.K;
const JGE = JMP | BPF_JMP_OP.JGE | BPF_SRC.K;
const JGT = JMP | BPF_JMP_OP.JGT | BPF_SRC.K;
const JSET = JMP | BPF_JMP_OP.JSET | BPF_SRC.K;
const RET_K = RET | BPF_RVAL.K;

const X86_64 = 0xc000003e;
const I386 = 0x40000003;
const AARCH64 = 0xc00000b7;
const ALLOW = 0x7fff0000;
const KILL_PROCESS = 0x80000000;
const ENOSYS = 0x00050026;

/** x86_64 (with its x32 half) and i386 dispatch; read/write allowed, execve killed, the rest ENOSYS. */
export const archDispatch: readonly Insn[] = [
  stmt(LD_ABS, 4), //                         0  arch
  jump(JEQ, X86_64, 2, 0), //                  1  -> 4
  jump(JEQ, I386, 11, 0), //                   2  -> 14
  stmt(RET_K, KILL_PROCESS), //                3
  stmt(LD_ABS, 0), //                          4  nr
  jump(JGE, 0x40000000, 4, 0), //              5  x32 -> 10
  jump(JEQ, 0, 12, 0), //                      6  read -> 19
  jump(JEQ, 1, 11, 0), //                      7  write -> 19
  jump(JEQ, 59, 9, 0), //                      8  execve -> 18
  stmt(JMP | BPF_JMP_OP.JA, 10), //            9  -> 20
  jump(JEQ, 0x40000000, 8, 0), //             10  x32 read -> 19
  jump(JEQ, 0x40000001, 7, 0), //             11  x32 write -> 19
  jump(JEQ, 0x40000208, 5, 0), //             12  x32 execve -> 18
  stmt(JMP | BPF_JMP_OP.JA, 6), //            13  -> 20
  stmt(LD_ABS, 0), //                         14  nr (i386)
  jump(JEQ, 3, 3, 0), //                      15  read -> 19
  jump(JEQ, 4, 2, 0), //                      16  write -> 19
  jump(JEQ, 11, 0, 2), //                     17  execve -> 18, else -> 20
  stmt(RET_K, 0), //                          18  KILL_THREAD
  stmt(RET_K, ALLOW), //                      19
  stmt(RET_K, ENOSYS), //                     20
];

/**
 * 64-bit argument compares on x86_64 (little-endian word order): mmap without PROT_EXEC,
 * ioctl(_, TCGETS) only, kill() only for pids in 1..0x7fffffff.
 */
export const argCompares: readonly Insn[] = [
  stmt(LD_ABS, 4), //                          0  arch
  jump(JEQ, X86_64, 1, 0), //                  1  -> 3
  stmt(RET_K, KILL_PROCESS), //                2
  stmt(LD_ABS, 0), //                          3  nr
  jump(JEQ, 9, 0, 2), //                       4  mmap ? 5 : 7
  stmt(LD_ABS, 32), //                         5  args[2] low
  jump(JSET, 4, 13, 12), //                    6  PROT_EXEC ? 20 : 19
  jump(JEQ, 16, 0, 4), //                      7  ioctl ? 8 : 12
  stmt(LD_ABS, 28), //                         8  args[1] high
  jump(JEQ, 0, 0, 10), //                      9  ? 10 : 20
  stmt(LD_ABS, 24), //                        10  args[1] low
  jump(JEQ, 0x5401, 7, 8), //                 11  TCGETS ? 19 : 20
  jump(JEQ, 62, 0, 5), //                     12  kill ? 13 : 18
  stmt(LD_ABS, 20), //                        13  args[0] high
  jump(JGT, 0, 5, 0), //                      14  -> 20
  stmt(LD_ABS, 16), //                        15  args[0] low
  jump(JGE, 0x80000000, 3, 0), //             16  -> 20
  jump(JEQ, 0, 2, 1), //                      17  ? 20 : 19
  stmt(RET_K, ENOSYS), //                     18
  stmt(RET_K, ALLOW), //                      19
  stmt(RET_K, 0x00050001), //                 20  ERRNO(1)
];

/** One return per action kind (and the kernel's special cases), selected by nr 0..9 on x86_64. */
export const everyAction: readonly Insn[] = (() => {
  const rets = [
    ALLOW,
    0x7ffc0000, // LOG
    0x00050002, // ERRNO(2)
    0x00030005, // TRAP(5)
    0x7ff00007, // TRACE(7)
    0x7fc00000, // USER_NOTIF
    0x00000000, // KILL_THREAD
    0x00051388, // ERRNO(5000): the kernel caps it at MAX_ERRNO
    0x12340000, // not an action: the kernel kills the process
    KILL_PROCESS,
  ];
  const body: Insn[] = [stmt(LD_ABS, 4), jump(JEQ, X86_64, 1, 0), stmt(RET_K, KILL_PROCESS), stmt(LD_ABS, 0)];
  rets.forEach((ret, nr) => body.push(jump(JEQ, nr, 0, 1), stmt(RET_K, ret)));
  body.push(stmt(LD | BPF_MODE.IMM, 0x00050009), stmt(RET | BPF_RVAL.A, 0)); // ret a: ERRNO(9)
  return body;
})();

/** arch and nr kept in scratch memory and X on aarch64; the instruction pointer's high word tested. */
export const scratchMemory: readonly Insn[] = [
  stmt(LD_ABS, 4), //                          0  arch
  stmt(ST, 0), //                              1  M[0] = arch
  stmt(LD_ABS, 0), //                          2  nr
  stmt(ST, 1), //                              3  M[1] = nr
  stmt(LD | BPF_MODE.MEM, 0), //               4  arch
  jump(JEQ, AARCH64, 1, 0), //                 5  -> 7
  stmt(RET_K, KILL_PROCESS), //                6
  stmt(LD | BPF_MODE.MEM, 1), //               7  nr
  stmt(MISC | BPF_MISCOP.TAX, 0), //           8  X = nr
  stmt(LD | BPF_MODE.IMM, 63), //              9  A = 63 (read)
  jump(JMP | BPF_JMP_OP.JEQ | BPF_SRC.X, 0, 8, 0), // 10  -> 19
  stmt(MISC | BPF_MISCOP.TXA, 0), //          11  A = nr
  jump(JEQ, 64, 6, 0), //                     12  write -> 19
  stmt(LD_ABS, 8), //                         13  instruction_pointer low
  stmt(STX, 2), //                            14  M[2] = nr
  stmt(LDX | BPF_MODE.MEM, 2), //             15  X = nr
  stmt(LD_ABS, 12), //                        16  instruction_pointer high
  stmt(ALU | BPF_ALU_OP.AND | BPF_SRC.K, 0xffff0000), // 17
  jump(JEQ, 0, 1, 0), //                      18  -> 20
  stmt(RET_K, ALLOW), //                      19
  stmt(RET_K, 0x00050001), //                 20  ERRNO(1)
];

export const PROGRAMS: Readonly<Record<string, readonly Insn[]>> = {
  'arch-dispatch': archDispatch,
  'arg-compares': argCompares,
  'every-action': everyAction,
  'scratch-memory': scratchMemory,
};
