/**
 * Seeded generators of hostile inputs for the CLI fuzz test (test/cli/fuzz.test.ts): random,
 * truncated and bit-flipped filters, mutated asm listings, mutated OCI profiles and malformed
 * eval lines. Each generator is a pure function of the random source, so a seed replays a run.
 */

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;
export const int = (r: Rand, n: number): number => Math.floor(r() * n);
export const pick = <T>(r: Rand, items: readonly T[]): T => items[int(r, items.length)]!;

/** A filter's bytes: random, truncated, bit-flipped or spliced from `seeds` (valid filters). */
export function mutateFilter(r: Rand, seeds: readonly Uint8Array[]): Uint8Array {
  const base = pick(r, seeds);
  switch (int(r, 5)) {
    case 0: {
      const out = new Uint8Array(int(r, 3) === 0 ? int(r, 24) : 8 * (1 + int(r, 40)));
      for (let i = 0; i < out.length; i++) out[i] = int(r, 256);
      return out;
    }
    case 1:
      return base.slice(0, int(r, base.length + 1));
    case 2: {
      const out = base.slice();
      for (let n = 1 + int(r, 8); n > 0; n--) if (out.length) out[int(r, out.length)]! ^= 1 << int(r, 8);
      return out;
    }
    case 3: {
      // Instructions kept whole but shuffled among themselves: plausible opcodes, wrong places.
      const insns = Array.from({ length: base.length >> 3 }, (_, i) => base.slice(i * 8, i * 8 + 8));
      for (let n = int(r, 6); n > 0 && insns.length > 1; n--) {
        const i = int(r, insns.length);
        const j = int(r, insns.length);
        [insns[i], insns[j]] = [insns[j]!, insns[i]!];
      }
      return Buffer.concat(insns);
    }
    default: {
      const other = pick(r, seeds);
      return Buffer.concat([base.slice(0, 8 * int(r, (base.length >> 3) + 1)), other.slice(8 * int(r, (other.length >> 3) + 1))]);
    }
  }
}

const ASM_WORDS = ['ld', 'ldx', 'st', 'stx', 'jeq', 'jgt', 'jset', 'ja', 'ret', 'add', 'and', 'lsh', 'rsh', 'div', 'mod', 'tax', 'txa', '.insn', '.endian', 'big', '#', '[', ']', 'M[', 'x', 'a', ':', ',', '+', '-', 'l0', 'L1:', ';', '0x', '4294967296', '-1', '99999999999999999999'];

/** A listing (as disasm prints it) with lines dropped, duplicated, cut, or words replaced. */
export function mutateListing(r: Rand, seeds: readonly string[]): string {
  const lines = pick(r, seeds).split('\n');
  for (let n = 1 + int(r, 6); n > 0; n--) {
    const i = int(r, lines.length);
    switch (int(r, 6)) {
      case 0:
        lines.splice(i, 1);
        break;
      case 1:
        lines.splice(i, 0, lines[int(r, lines.length)] ?? '');
        break;
      case 2:
        lines[i] = (lines[i] ?? '').slice(0, int(r, (lines[i] ?? '').length + 1));
        break;
      case 3: {
        const words = (lines[i] ?? '').split(' ');
        words[int(r, words.length)] = pick(r, ASM_WORDS);
        lines[i] = words.join(' ');
        break;
      }
      case 4:
        lines[i] = Array.from({ length: int(r, 6) }, () => pick(r, ASM_WORDS)).join(int(r, 2) ? ' ' : '');
        break;
      default:
        lines[i] = (lines[i] ?? '') + String.fromCharCode(int(r, 0x80));
    }
  }
  return lines.join(int(r, 8) === 0 ? '\r\n' : '\n');
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const ODD_VALUES: readonly Json[] = [null, true, -1, 1.5, 0, 4096, 18446744073709551615, '', 'x', [], {}, 'SCMP_ACT_ALLOW', 'SCMP_CMP_EQ', 'SCMP_ARCH_X86', 'read', '1e400'];
const PROFILE_KEYS = ['defaultAction', 'defaultErrnoRet', 'architectures', 'archMap', 'syscalls', 'names', 'action', 'args', 'index', 'value', 'valueTwo', 'op', 'errnoRet', 'includes', 'excludes', 'caps', 'arches', 'minKernel', 'flags', 'listenerPath'];

/** A profile: its JSON tree mutated (values replaced, keys dropped or added), or its text cut and flipped. */
export function mutateProfile(r: Rand, seeds: readonly string[]): string {
  const text = pick(r, seeds);
  if (int(r, 4) === 0) {
    const chars = [...text.slice(0, int(r, text.length + 1))];
    for (let n = int(r, 4); n > 0 && chars.length; n--) chars[int(r, chars.length)] = pick(r, ['{', '}', '[', ']', ',', ':', '"', '0', 'e', '\\', '\u0000']);
    return chars.join('');
  }
  const tree = JSON.parse(text) as Json;
  for (let n = 1 + int(r, 5); n > 0; n--) mutateNode(r, tree, 0);
  return JSON.stringify(tree);
}

function mutateNode(r: Rand, node: Json, depth: number): void {
  if (node === null || typeof node !== 'object') return;
  const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
  if (keys.length === 0 || (depth > 0 && int(r, 3) === 0)) {
    if (Array.isArray(node)) node.push(structuredClone(pick(r, ODD_VALUES)));
    else node[pick(r, PROFILE_KEYS)] = structuredClone(pick(r, ODD_VALUES));
    return;
  }
  const key = pick(r, keys);
  const child = (node as Record<string | number, Json>)[key]!;
  const action = int(r, 5);
  if (action === 0 || child === null || typeof child !== 'object') {
    if (action === 1 && !Array.isArray(node)) delete (node as Record<string, Json>)[key as string];
    else (node as Record<string | number, Json>)[key] = structuredClone(pick(r, ODD_VALUES));
    return;
  }
  if (action === 2 && Array.isArray(child)) {
    // Many copies of one entry: the importer's cost must stay near linear.
    const copies = int(r, 200);
    for (let i = 0; i < copies && child.length; i++) child.push(structuredClone(child[int(r, child.length)]!));
    return;
  }
  mutateNode(r, child, depth + 1);
}

const EVAL_VALID = ['{"arch":"x86_64","nr":1}', '{"arch":"x86_64","syscall":"socket","args":[2,1,0]}', '{"arch":"aarch64","nr":63,"args":["0xffffffffffffffff"],"ip":"0x10"}', '{"arch":"x86","nr":-1}', '{"arch":3221225534,"nr":4294967295}'];
const EVAL_ODD = ['', ' ', '{', '}', '[]', 'null', '1', '"x"', '{"arch":"x86_64"}', '{"nr":1}', '{"arch":"mips","nr":1}', '{"arch":"x86_64","nr":1.5}', '{"arch":"x86_64","nr":1e400}', '{"arch":"x86_64","nr":"0x"}', '{"arch":"x86_64","nr":1,"args":[1,2,3,4,5,6,7]}', '{"arch":"x86_64","nr":1,"args":[-1]}', '{"arch":"x86_64","nr":1,"args":"1"}', '{"arch":"x86_64","syscall":"nope"}', '{"arch":"x86_64","syscall":1}', '{"arch":"x86_64","nr":1,"nr2":1}', '{"__proto__":{"nr":1},"arch":"x86_64"}', '{"arch":"x86_64","nr":18446744073709551616}', '\u0000', '{"arch":"x86_64","nr":1}\r'];

/** Lines for `eval`: valid cases, malformed ones, and valid ones cut or with a character changed. */
export function evalLines(r: Rand): string[] {
  return Array.from({ length: 1 + int(r, 30) }, () => {
    const kind = int(r, 4);
    if (kind === 0) return pick(r, EVAL_VALID);
    if (kind === 1) return pick(r, EVAL_ODD);
    const line = pick(r, EVAL_VALID);
    if (kind === 2) return line.slice(0, int(r, line.length + 1));
    const chars = [...line];
    chars[int(r, chars.length)] = String.fromCharCode(int(r, 0x7f));
    return chars.join('').replace(/\n/g, ' ');
  });
}
