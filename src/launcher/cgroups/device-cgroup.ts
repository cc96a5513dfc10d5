/**
 * The device allow-list of a run's cgroup: which device nodes the jail may open, whatever
 * nodes it can reach (every mount of the jail is nodev but for the nodes jail binds into /dev;
 * this holds even for a command given CAP_SYS_ADMIN that mounts a filesystem of its own).
 * The list is runc's default for containers, less what jail does not provide (/dev/console,
 * /dev/net/tun): mknod of any node (opening is what matters), and read/write of
 *   c 1:3 null, 1:5 zero, 1:7 full, 1:8 random, 1:9 urandom, 5:0 tty, 5:2 ptmx, 136:* pts.
 *
 * cgroup v1 has a `devices` controller (Documentation/admin-guide/cgroup-v1/devices.rst):
 * "a" into devices.deny, then one devices.allow line per entry. cgroup v2 has none: a
 * BPF_PROG_TYPE_CGROUP_DEVICE program attached to the cgroup decides each access (as runc
 * and systemd do; include/uapi/linux/bpf.h struct bpf_cgroup_dev_ctx, kernel/bpf/cgroup.c).
 */
import { closeSync, constants, openSync } from 'node:fs';
import { endianness } from 'node:os';
import { bpfProgLoadPointer, errno, libc, type BpfProgLoad } from '../ffi.js';
import { syscallError } from '../launch-error.js';
import { syscallNumber } from '../linux.js';
import { writeControl } from './cgroup-fs.js';

interface Allowed {
  readonly major: number;
  /** undefined: every minor. */
  readonly minor?: number;
}

/** Character devices the jail may read and write. */
export const ALLOWED_DEVICES: readonly Allowed[] = [
  { major: 1, minor: 3 },
  { major: 1, minor: 5 },
  { major: 1, minor: 7 },
  { major: 1, minor: 8 },
  { major: 1, minor: 9 },
  { major: 5, minor: 0 },
  { major: 5, minor: 2 },
  { major: 136 },
];

/** The v1 rules, in the order they are written: devices.deny first, then devices.allow. */
export function v1DeviceRules(): { deny: string; allow: string[] } {
  return {
    deny: 'a',
    allow: ['c *:* m', 'b *:* m', ...ALLOWED_DEVICES.map((d) => `c ${d.major}:${d.minor ?? '*'} rwm`)],
  };
}

export function applyV1DeviceRules(step: string, dir: string): void {
  const rules = v1DeviceRules();
  writeControl(step, `${dir}/devices.deny`, rules.deny);
  for (const line of rules.allow) writeControl(step, `${dir}/devices.allow`, line);
}

// eBPF, as in include/uapi/linux/bpf_common.h and bpf.h.
const BPF_LDX_MEM_W = 0x61;
const BPF_ALU64_AND_K = 0x57;
const BPF_ALU64_RSH_K = 0x77;
const BPF_ALU64_MOV_K = 0xb7;
const BPF_ALU64_MOV_X = 0xbf;
const BPF_JMP_JEQ_K = 0x15;
const BPF_JMP_JNE_K = 0x55;
const BPF_EXIT = 0x95;
const BPF_DEVCG_DEV_CHAR = 2;
const BPF_DEVCG_ACC_MKNOD = 1;

interface EbpfInsn {
  readonly code: number;
  readonly dst: number;
  readonly src: number;
  readonly off: number;
  readonly imm: number;
}
const insn = (code: number, dst: number, src: number, off: number, imm: number): EbpfInsn => ({ code, dst, src, off, imm });

/**
 * The allow-list as a BPF_PROG_TYPE_CGROUP_DEVICE program: r1 is struct bpf_cgroup_dev_ctx
 * { u32 access_type (access << 16 | type); u32 major; u32 minor; }; r0 = 1 allows, 0 denies.
 */
export function deviceProgram(allowed: readonly Allowed[] = ALLOWED_DEVICES): EbpfInsn[] {
  const body: EbpfInsn[] = [
    insn(BPF_LDX_MEM_W, 2, 1, 0, 0), // r2 = access_type
    insn(BPF_LDX_MEM_W, 4, 1, 4, 0), // r4 = major
    insn(BPF_LDX_MEM_W, 5, 1, 8, 0), // r5 = minor
    insn(BPF_ALU64_MOV_X, 3, 2, 0, 0), // r3 = type
    insn(BPF_ALU64_AND_K, 3, 0, 0, 0xffff),
    insn(BPF_ALU64_RSH_K, 2, 0, 0, 16), // r2 = access
    insn(BPF_ALU64_AND_K, 2, 0, 0, ~BPF_DEVCG_ACC_MKNOD & 0xffff), // anything but mknod?
  ];
  // Jumps to ALLOW are patched once its index is known.
  const toAllow: number[] = [];
  body.push(insn(BPF_JMP_JEQ_K, 2, 0, 0, 0)); // mknod only: allowed
  toAllow.push(body.length - 1);
  const toDeny: number[] = [];
  body.push(insn(BPF_JMP_JNE_K, 3, 0, 0, BPF_DEVCG_DEV_CHAR));
  toDeny.push(body.length - 1);
  for (const d of allowed) {
    if (d.minor === undefined) {
      body.push(insn(BPF_JMP_JEQ_K, 4, 0, 0, d.major));
      toAllow.push(body.length - 1);
    } else {
      body.push(insn(BPF_JMP_JNE_K, 4, 0, 1, d.major)); // skip the minor test
      body.push(insn(BPF_JMP_JEQ_K, 5, 0, 0, d.minor));
      toAllow.push(body.length - 1);
    }
  }
  const deny = body.length;
  body.push(insn(BPF_ALU64_MOV_K, 0, 0, 0, 0), insn(BPF_EXIT, 0, 0, 0, 0));
  const allow = body.length;
  body.push(insn(BPF_ALU64_MOV_K, 0, 0, 0, 1), insn(BPF_EXIT, 0, 0, 0, 0));
  const patch = (at: number, target: number) => (body[at] = { ...body[at]!, off: target - at - 1 });
  for (const at of toAllow) patch(at, allow);
  for (const at of toDeny) patch(at, deny);
  return body;
}

/** struct bpf_insn[] in host byte order. */
export function encodeEbpf(prog: readonly EbpfInsn[]): Buffer {
  const out = Buffer.alloc(prog.length * 8);
  const le = endianness() === 'LE';
  prog.forEach((p, i) => {
    out[i * 8] = p.code;
    out[i * 8 + 1] = le ? (p.src << 4) | p.dst : (p.dst << 4) | p.src;
    if (le) {
      out.writeInt16LE(p.off, i * 8 + 2);
      out.writeInt32LE(p.imm, i * 8 + 4);
    } else {
      out.writeInt16BE(p.off, i * 8 + 2);
      out.writeInt32BE(p.imm, i * 8 + 4);
    }
  });
  return out;
}

const BPF_PROG_LOAD = 5;
const BPF_PROG_ATTACH = 8;
const BPF_PROG_TYPE_CGROUP_DEVICE = 15;
const BPF_CGROUP_DEVICE = 6;

/** Loads the allow-list program and attaches it to the cgroup v2 directory `dir`. */
export function attachV2DeviceProgram(step: string, dir: string): void {
  const nr = syscallNumber('bpf');
  if (nr === undefined) throw syscallError(step, `bpf (unknown on ${process.arch})`, 38);
  const prog = deviceProgram();
  const c = libc();
  const attr = bpfProgLoadPointer();
  const load: BpfProgLoad = {
    prog_type: BPF_PROG_TYPE_CGROUP_DEVICE,
    insn_cnt: prog.length,
    insns: encodeEbpf(prog),
    license: 'Apache-2.0',
    log_level: 0,
    log_size: 0,
    log_buf: null,
    kern_version: 0,
    prog_flags: 0,
    prog_name: 'jail_devices',
    prog_ifindex: 0,
    expected_attach_type: BPF_CGROUP_DEVICE,
  };
  const progFd = Number(c.syscall(nr, 'int', BPF_PROG_LOAD, attr.type, load, 'unsigned int', attr.size));
  if (progFd < 0) throw syscallError(`${step} (device allow-list)`, 'bpf(BPF_PROG_LOAD)', errno());
  let dirFd: number | undefined;
  try {
    dirFd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    // union bpf_attr for BPF_PROG_ATTACH: u32 target_fd, attach_bpf_fd, attach_type, attach_flags.
    const attach = new Uint32Array([dirFd, progFd, BPF_CGROUP_DEVICE, 0]);
    const r = Number(c.syscall(nr, 'int', BPF_PROG_ATTACH, 'void *', new Uint8Array(attach.buffer), 'unsigned int', attach.byteLength));
    if (r < 0) throw syscallError(`${step} (device allow-list)`, 'bpf(BPF_PROG_ATTACH)', errno());
  } finally {
    if (dirFd !== undefined) closeSync(dirFd);
    c.close(progFd);
  }
}
