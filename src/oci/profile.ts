/**
 * Reading an OCI / Docker seccomp profile: JSON text -> a typed, validated `OciProfile`. The format
 * is the union of the OCI runtime-spec `linux.seccomp` object (defaultAction, defaultErrnoRet,
 * architectures, flags, listenerPath, listenerMetadata, syscalls[] with names, action, errnoRet,
 * args) and the container engines' profile extensions (moby profiles/seccomp and
 * containers/common pkg/seccomp: archMap with subArchitectures, per-entry name, comment,
 * includes/excludes with arches, caps and minKernel, and containers/common's errno names).
 * Unknown fields and wrong types are errors with their JSON path: Go's decoder ignores an unknown
 * field, but a misspelt `args` would turn a conditional rule into an unconditional one.
 */
import { at, type OciCode, type OciSink } from './diagnostic.js';
import { parseJson, JsonSyntaxError, type JsonEntry, type JsonNode, type JsonPos } from './json.js';
import { errnoByName } from '../syscalls/errno.js';
import type { SeccompFilterFlag } from '../seccomp/abi.js';

export const OCI_ACTIONS = [
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_LOG',
  'SCMP_ACT_NOTIFY',
] as const;
export type OciActionName = (typeof OCI_ACTIONS)[number];

export const OCI_OPS = [
  'SCMP_CMP_NE',
  'SCMP_CMP_LT',
  'SCMP_CMP_LE',
  'SCMP_CMP_EQ',
  'SCMP_CMP_GE',
  'SCMP_CMP_GT',
  'SCMP_CMP_MASKED_EQ',
] as const;
export type OciOpName = (typeof OCI_OPS)[number];

/** runtime-spec LinuxSeccompFlag values (runc knows all but WAIT_KILLABLE_RECV). */
export const OCI_FLAGS: readonly SeccompFilterFlag[] = [
  'SECCOMP_FILTER_FLAG_TSYNC',
  'SECCOMP_FILTER_FLAG_LOG',
  'SECCOMP_FILTER_FLAG_SPEC_ALLOW',
  'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV',
];

/** A string with where it was written. */
export interface Located<T> {
  readonly value: T;
  readonly path: string;
  readonly pos?: JsonPos;
}

export interface OciArg {
  readonly index: number;
  readonly value: bigint;
  readonly valueTwo: bigint;
  readonly op: OciOpName;
  readonly path: string;
  readonly pos?: JsonPos;
}

export interface KernelVersion {
  readonly major: number;
  readonly minor: number;
}

export interface OciFilter {
  readonly arches: readonly Located<string>[];
  readonly caps: readonly Located<string>[];
  readonly minKernel?: Located<KernelVersion>;
}

export interface OciSyscall {
  readonly names: readonly Located<string>[];
  readonly action: OciActionName;
  /** errnoRet, or containers/common's `errno` name resolved; undefined when neither is given. */
  readonly errnoRet?: number;
  readonly args: readonly OciArg[];
  readonly includes: OciFilter;
  readonly excludes: OciFilter;
  readonly path: string;
  readonly pos?: JsonPos;
}

export interface OciArchMapEntry {
  readonly architecture: Located<string>;
  readonly subArchitectures: readonly Located<string>[];
}

export interface OciProfile {
  readonly defaultAction: OciActionName;
  readonly defaultErrnoRet?: number;
  readonly architectures: readonly Located<string>[];
  readonly archMap: readonly OciArchMapEntry[];
  readonly syscalls: readonly OciSyscall[];
  /** The flags runc passes to seccomp(2) (each one of OCI_FLAGS), once each, in the order written. */
  readonly flags: readonly SeccompFilterFlag[];
  readonly listenerPath?: string;
  readonly listenerMetadata?: string;
}

const U64_MAX = (1n << 64n) - 1n;
const EMPTY_FILTER: OciFilter = { arches: [], caps: [] };

/** Reads profile text; `profile` is undefined when errors made it unusable. */
export function readOciProfile(text: string, sink: OciSink): OciProfile | undefined {
  let root: JsonNode;
  try {
    root = parseJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) {
      sink.error('oci-json-syntax', '', `not valid JSON: ${e.message.replace(/^\d+:\d+: /, '')}`, at(e.pos));
      return undefined;
    }
    throw e;
  }
  return readProfileNode(root, sink);
}

/** Reads an already parsed profile value (e.g. from JSON.parse); no line numbers then. */
export function readOciProfileValue(value: unknown, sink: OciSink): OciProfile | undefined {
  const root = toNode(value, 0);
  if (!root) {
    sink.error('oci-json-syntax', '', `not a profile: nested more than ${MAX_DEPTH} levels deep (or a cycle)`);
    return undefined;
  }
  return readProfileNode(root, sink);
}

function readProfileNode(root: JsonNode, sink: OciSink): OciProfile | undefined {
  const r = new Reader(sink);
  const top = r.object(root, '', [
    'defaultAction',
    'defaultErrnoRet',
    'defaultErrno',
    'architectures',
    'archMap',
    'syscalls',
    'flags',
    'listenerPath',
    'listenerMetadata',
  ]);
  if (!top) return undefined;
  const defaultActionNode = top.get('defaultAction');
  const defaultAction = defaultActionNode ? r.oneOf(defaultActionNode.value, 'defaultAction', OCI_ACTIONS, 'oci-unknown-action', 'action') : undefined;
  if (!defaultActionNode) sink.error('oci-missing-field', 'defaultAction', 'a profile needs a defaultAction', at(root.pos));
  const defaultErrnoRet = r.errno(top, '', 'defaultErrnoRet', 'defaultErrno');
  const architectures = r.strings(top.get('architectures')?.value, 'architectures');
  const archMap = r.array(top.get('archMap')?.value, 'archMap').map(({ node, path }) => {
    const o = r.object(node, path, ['architecture', 'subArchitectures']);
    const arch = o?.get('architecture');
    const architecture = arch ? r.located(arch.value, `${path}.architecture`) : undefined;
    if (o && !arch) sink.error('oci-missing-field', `${path}.architecture`, 'an archMap entry needs an architecture', at(node.pos));
    return { architecture: architecture ?? { value: '', path }, subArchitectures: r.strings(o?.get('subArchitectures')?.value, `${path}.subArchitectures`) };
  });
  const syscalls = r.array(top.get('syscalls')?.value, 'syscalls').map(({ node, path }) => readSyscall(r, node, path));
  const flags = r.strings(top.get('flags')?.value, 'flags');
  const isFlag = (f: string): f is SeccompFilterFlag => (OCI_FLAGS as readonly string[]).includes(f);
  for (const f of flags) {
    if (!isFlag(f.value)) sink.error('oci-unknown-flag', f.path, `unknown flag '${f.value}'; known: ${OCI_FLAGS.join(', ')}`, at(f.pos));
  }
  const listenerPath = r.optString(top.get('listenerPath')?.value, 'listenerPath');
  const listenerMetadata = r.optString(top.get('listenerMetadata')?.value, 'listenerMetadata');
  if (sink.hasErrors || defaultAction === undefined) return undefined;
  return {
    defaultAction,
    ...(defaultErrnoRet !== undefined ? { defaultErrnoRet } : {}),
    architectures,
    archMap,
    syscalls: syscalls.filter((s): s is OciSyscall => s !== undefined),
    flags: [...new Set(flags.map((f) => f.value).filter(isFlag))],
    ...(listenerPath !== undefined ? { listenerPath } : {}),
    ...(listenerMetadata !== undefined ? { listenerMetadata } : {}),
  };
}

function readSyscall(r: Reader, node: JsonNode, path: string): OciSyscall | undefined {
  const o = r.object(node, path, ['names', 'name', 'action', 'errnoRet', 'errno', 'args', 'comment', 'includes', 'excludes']);
  if (!o) return undefined;
  const names = r.strings(o.get('names')?.value, `${path}.names`);
  const single = o.get('name');
  if (single && single.value.kind !== 'null') {
    const name = r.located(single.value, `${path}.name`);
    if (name && names.length > 0) r.sink.error('oci-name-and-names', `${path}.name`, "use either 'name' or 'names', not both (Docker refuses the profile)", at(single.keyPos));
    else if (name) names.push(name);
  }
  if (names.length === 0) r.sink.error('oci-no-names', `${path}.names`, 'a syscalls entry needs at least one name', at(node.pos));
  for (const n of names) if (n.value === '') r.sink.error('oci-empty-name', n.path, 'an empty string is not a syscall name', at(n.pos));
  const actionEntry = o.get('action');
  if (!actionEntry) r.sink.error('oci-missing-field', `${path}.action`, 'a syscalls entry needs an action', at(node.pos));
  const action = actionEntry ? r.oneOf(actionEntry.value, `${path}.action`, OCI_ACTIONS, 'oci-unknown-action', 'action') : undefined;
  const errnoRet = r.errno(o, path, 'errnoRet', 'errno');
  r.optString(o.get('comment')?.value, `${path}.comment`);
  const args = r.array(o.get('args')?.value, `${path}.args`).map(({ node: a, path: p }) => readArg(r, a, p));
  const includes = readFilter(r, o.get('includes')?.value, `${path}.includes`);
  const excludes = readFilter(r, o.get('excludes')?.value, `${path}.excludes`);
  if (action === undefined || args.some((a) => a === undefined)) return undefined;
  return {
    names,
    action,
    ...(errnoRet !== undefined ? { errnoRet } : {}),
    args: args as OciArg[],
    includes,
    excludes,
    path,
    pos: node.pos,
  };
}

function readArg(r: Reader, node: JsonNode, path: string): OciArg | undefined {
  const o = r.object(node, path, ['index', 'value', 'valueTwo', 'op']);
  if (!o) return undefined;
  const need = (k: string) => {
    if (!o.has(k)) r.sink.error('oci-missing-field', `${path}.${k}`, `an argument condition needs '${k}'`, at(node.pos));
  };
  need('index');
  need('op');
  const index = o.has('index') ? r.uint(o.get('index')!.value, `${path}.index`, U64_MAX) : undefined;
  if (index !== undefined && index > 5n) r.sink.error('oci-arg-index', `${path}.index`, `argument index ${index} is out of range: a system call has arguments 0..5`, at(o.get('index')!.value.pos));
  const value = o.has('value') ? r.uint(o.get('value')!.value, `${path}.value`, U64_MAX) : 0n;
  const valueTwo = o.has('valueTwo') ? r.uint(o.get('valueTwo')!.value, `${path}.valueTwo`, U64_MAX) : 0n;
  const op = o.has('op') ? r.oneOf(o.get('op')!.value, `${path}.op`, OCI_OPS, 'oci-unknown-op', 'operator') : undefined;
  if (index === undefined || index > 5n || value === undefined || valueTwo === undefined || op === undefined) return undefined;
  return { index: Number(index), value, valueTwo, op, path, pos: node.pos };
}

function readFilter(r: Reader, node: JsonNode | undefined, path: string): OciFilter {
  if (!node || node.kind === 'null') return EMPTY_FILTER;
  const o = r.object(node, path, ['arches', 'caps', 'minKernel']);
  if (!o) return EMPTY_FILTER;
  const mk = o.get('minKernel');
  const text = mk && mk.value.kind !== 'null' ? r.located(mk.value, `${path}.minKernel`) : undefined;
  let minKernel: Located<KernelVersion> | undefined;
  if (text && text.value !== '') {
    const v = parseKernelVersion(text.value);
    if (v) minKernel = { value: v, path: text.path, ...(text.pos ? { pos: text.pos } : {}) };
    else r.sink.error('oci-bad-kernel-version', text.path, `'${text.value}' is not a kernel version like "5.8"`, at(text.pos));
  }
  return {
    arches: r.strings(o.get('arches')?.value, `${path}.arches`),
    caps: r.strings(o.get('caps')?.value, `${path}.caps`),
    ...(minKernel ? { minKernel } : {}),
  };
}

/** "5.8", "4.14.0-amd64", "6.1-rc2": major and minor, as moby's parseRelease reads them. */
export function parseKernelVersion(text: string): KernelVersion | undefined {
  const m = /^(\d+)\.(\d+)/.exec(text.trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/** Typed access to JsonNodes that reports every mismatch to the sink. */
class Reader {
  constructor(readonly sink: OciSink) {}

  object(node: JsonNode, path: string, known: readonly string[]): Map<string, JsonEntry> | undefined {
    if (node.kind !== 'object') {
      this.sink.error('oci-type', path, `expected an object, found ${describe(node)}`, at(node.pos));
      return undefined;
    }
    const out = new Map<string, JsonEntry>();
    for (const e of node.entries) {
      const p = path ? `${path}.${e.key}` : e.key;
      if (!known.includes(e.key)) {
        this.sink.error('oci-unknown-field', p, `unknown field '${e.key}'; known here: ${known.join(', ')}`, at(e.keyPos));
      } else if (out.has(e.key)) {
        this.sink.error('oci-duplicate-field', p, `field '${e.key}' appears twice`, at(e.keyPos));
      } else out.set(e.key, e);
    }
    return out;
  }

  array(node: JsonNode | undefined, path: string): { node: JsonNode; path: string }[] {
    if (!node || node.kind === 'null') return [];
    if (node.kind !== 'array') {
      this.sink.error('oci-type', path, `expected an array, found ${describe(node)}`, at(node.pos));
      return [];
    }
    return node.items.map((n, i) => ({ node: n, path: `${path}[${i}]` }));
  }

  located(node: JsonNode, path: string): Located<string> | undefined {
    if (node.kind !== 'string') {
      this.sink.error('oci-type', path, `expected a string, found ${describe(node)}`, at(node.pos));
      return undefined;
    }
    return { value: node.value, path, pos: node.pos };
  }

  strings(node: JsonNode | undefined, path: string): Located<string>[] {
    return this.array(node, path)
      .map(({ node: n, path: p }) => this.located(n, p))
      .filter((s): s is Located<string> => s !== undefined);
  }

  optString(node: JsonNode | undefined, path: string): string | undefined {
    if (!node || node.kind === 'null') return undefined;
    return this.located(node, path)?.value;
  }

  oneOf<T extends string>(node: JsonNode, path: string, allowed: readonly T[], code: OciCode, what: string): T | undefined {
    const s = this.located(node, path);
    if (!s) return undefined;
    if ((allowed as readonly string[]).includes(s.value)) return s.value as T;
    const near = allowed.filter((a) => a.toLowerCase().includes(s.value.toLowerCase().replace(/^scmp_(act|cmp)_/, '')));
    const hint = near.length > 0 && s.value !== '' ? ` (did you mean ${near[0]}?)` : '';
    this.sink.error(code, path, `unknown ${what} '${s.value}'${hint}; known: ${allowed.join(', ')}`, at(node.pos));
    return undefined;
  }

  uint(node: JsonNode, path: string, max: bigint): bigint | undefined {
    if (node.kind !== 'number' || !/^(0|[1-9][0-9]*)$/.test(node.text)) {
      const what = node.kind === 'number' ? `the number ${node.text}` : describe(node);
      this.sink.error('oci-type', path, `expected an unsigned integer, found ${what}`, at(node.pos));
      return undefined;
    }
    const v = BigInt(node.text);
    if (v > max) {
      this.sink.error('oci-range', path, `${node.text} is out of range (at most ${max})`, at(node.pos));
      return undefined;
    }
    return v;
  }

  /** errnoRet (a number) or containers/common's errno name; both must agree. */
  errno(o: Map<string, JsonEntry>, path: string, numKey: string, nameKey: string): number | undefined {
    const field = (k: string) => (path ? `${path}.${k}` : k);
    const numEntry = o.get(numKey);
    let num = numEntry && numEntry.value.kind !== 'null' ? this.uint(numEntry.value, field(numKey), U64_MAX) : undefined;
    if (num !== undefined && num > 0xffffn) {
      const msg = `${num} does not fit SECCOMP_RET_DATA (16 bits); runc would silently keep only its low 16 bits (${num & 0xffffn})`;
      this.sink.error('oci-errno-range', field(numKey), msg, at(numEntry!.value.pos));
      num = undefined;
    }
    const nameEntry = o.get(nameKey);
    const name = nameEntry ? this.optString(nameEntry.value, field(nameKey)) : undefined;
    if (name === undefined || name === '') return num === undefined ? undefined : Number(num);
    const byName = errnoByName(name);
    if (byName === undefined) {
      this.sink.error('oci-unknown-errno', field(nameKey), `unknown errno name '${name}'`, at(nameEntry!.value.pos));
      return num === undefined ? undefined : Number(num);
    }
    if (num !== undefined && Number(num) !== byName) {
      this.sink.error('oci-errno-mismatch', field(nameKey), `${nameKey} '${name}' is ${byName} but ${numKey} says ${num}`, at(nameEntry!.value.pos));
    }
    return num === undefined ? byName : Number(num);
  }
}

function describe(node: JsonNode): string {
  switch (node.kind) {
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    case 'string':
      return `the string ${JSON.stringify(node.value)}`;
    case 'number':
      return `the number ${node.text}`;
    case 'bool':
      return String(node.value);
    case 'null':
      return 'null';
  }
}

/** The nesting the JSON text reader accepts (./json.ts), here too: deeper is no profile, and a cycle is endless. */
const MAX_DEPTH = 64;

/**
 * A plain JS value (JSON.parse output, bigint allowed for numbers) as a JsonNode without
 * positions; undefined when nested deeper than MAX_DEPTH.
 */
function toNode(value: unknown, depth: number): JsonNode | undefined {
  const pos = { line: 0, column: 0 };
  if (depth > MAX_DEPTH) return undefined;
  if (value === null || value === undefined) return { kind: 'null', pos };
  if (typeof value === 'string') return { kind: 'string', pos, value };
  if (typeof value === 'boolean') return { kind: 'bool', pos, value };
  if (typeof value === 'bigint') return { kind: 'number', pos, text: value.toString() };
  if (typeof value === 'number') return { kind: 'number', pos, text: Number.isInteger(value) ? BigInt(value).toString() : String(value) };
  if (Array.isArray(value)) {
    const items: JsonNode[] = [];
    for (const v of value as unknown[]) {
      const node = toNode(v, depth + 1);
      if (!node) return undefined;
      items.push(node);
    }
    return { kind: 'array', pos, items };
  }
  if (typeof value === 'object') {
    const entries: JsonEntry[] = [];
    for (const [key, v] of Object.entries(value)) {
      const node = toNode(v, depth + 1);
      if (!node) return undefined;
      entries.push({ key, keyPos: pos, value: node });
    }
    return { kind: 'object', pos, entries };
  }
  return { kind: 'string', pos, value: String(value) };
}
