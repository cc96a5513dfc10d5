/**
 * `npm run build:policies`: compiles every built-in policy (policies/*.ts) into bpf/, for each
 * host arch we ship filters for, each filter covering that arch and its compat ABIs:
 *   bpf/<policy>.x86_64.bpf    x86_64 + x86 + x32      (raw struct sock_filter[], little-endian)
 *   bpf/<policy>.aarch64.bpf   aarch64 + arm
 *   bpf/<policy>.<arch>.txt    the annotated disassembly of the same filter
 * and test/golden/disasm/net-off.x86_64.source.txt, that listing with each instruction's rule
 * (`disasm --source`), a golden file kept out of the package.
 * `jail` reads bpf/<policy>.<arch>.bpf by exactly this naming. test/policies/golden.test.ts
 * recompiles and fails when bpf/ is stale. Deterministic: the same sources give the same bytes.
 *
 * Usage: node --import tsx scripts/build-policies.ts [--check]   (--check: compare, write nothing)
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compile } from '../src/compiler/index.js';
import { sourceListing } from '../src/analysis/source-listing.js';
import { formatFilter } from '../src/cli/seccompile/filter-output.js';
import { relativeLocation } from '../src/cli/seccompile/policy-source.js';
import { formatDiagnostic, hasErrors } from '../src/ir/diagnostics.js';
import { normalize } from '../src/ir/normalize.js';
import { loadPolicyFile } from '../src/loader/policy-file.js';
import { tableSyscallName } from '../src/syscalls/syscall-namer.js';
import { compatArches, type ArchName } from '../src/syscalls/index.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const POLICIES_DIR = join(ROOT, 'policies');
export const BPF_DIR = join(ROOT, 'bpf');
/** The host arches we ship compiled built-ins for. */
export const BUILT_IN_TARGETS: readonly ArchName[] = ['x86_64', 'aarch64'];
/** The (policy, target) whose provenance listing is kept as a golden file. */
const SOURCE_LISTED = { policy: 'net-off', target: 'x86_64' } as const;

export interface Artifact {
  /** Path relative to the repository root, e.g. bpf/net-off.x86_64.bpf. */
  readonly path: string;
  readonly content: Uint8Array;
}

/** Built-in policy names (policies/<name>.ts), sorted. */
export function builtInPolicies(dir = POLICIES_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => basename(f, '.ts'))
    .sort();
}

/** The .bpf and .txt files of one policy for one target. Throws on policy or compile errors. */
export async function buildArtifacts(policy: string, target: ArchName, dir = POLICIES_DIR): Promise<Artifact[]> {
  const arches = compatArches(target).map((a) => a.name);
  const { spec, file } = await loadPolicyFile(join(dir, `${policy}.ts`));
  const result = normalize(spec, { arches, sourceFile: file });
  if (hasErrors(result.diagnostics) || !result.ir) {
    throw new Error(`policies/${policy}.ts for ${arches.join(', ')}:\n${result.diagnostics.map((d) => formatDiagnostic(d)).join('\n')}`);
  }
  const compiled = compile(result.ir);
  const meta = { policy, arches: result.ir.sections.map((s) => s.arch) };
  const txt = formatFilter(compiled, 'disasm', meta) as string;
  const note = `; regenerate with: npm run build:policies\n`;
  const out: Artifact[] = [
    { path: `bpf/${policy}.${target}.bpf`, content: formatFilter(compiled, 'bpf', meta) as Uint8Array },
    { path: `bpf/${policy}.${target}.txt`, content: Buffer.from(note + txt) },
  ];
  if (policy === SOURCE_LISTED.policy && target === SOURCE_LISTED.target) {
    // Locations relative to the repository, so the file is the same in every checkout.
    const locate = (i: number) => relativeLocation(spec.rules[i]?.location ?? spec.location, ROOT);
    const listing = sourceListing(compiled, result.ir, { locate, syscallName: tableSyscallName });
    out.push({ path: `test/golden/disasm/${policy}.${target}.source.txt`, content: Buffer.from(`${note}; seccompile disasm --source policies/${policy}.ts --arch ${arches.join(',')}\n${listing}`) });
  }
  return out;
}

/** Every artifact of every built-in policy. */
export async function buildAll(dir = POLICIES_DIR): Promise<Artifact[]> {
  const out: Artifact[] = [];
  for (const policy of builtInPolicies(dir)) for (const target of BUILT_IN_TARGETS) out.push(...(await buildArtifacts(policy, target, dir)));
  return out;
}

/** Artifacts whose file in the tree is missing or differs. */
export function staleArtifacts(artifacts: readonly Artifact[], root = ROOT): string[] {
  return artifacts
    .filter((a) => {
      const file = join(root, a.path);
      return !existsSync(file) || !Buffer.from(readFileSync(file)).equals(Buffer.from(a.content));
    })
    .map((a) => a.path);
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const artifacts = await buildAll();
  if (check) {
    const stale = staleArtifacts(artifacts);
    if (stale.length) {
      console.error(`stale: ${stale.join(', ')}\nrun: npm run build:policies`);
      process.exitCode = 1;
    }
    return;
  }
  mkdirSync(BPF_DIR, { recursive: true });
  for (const a of artifacts) {
    writeFileSync(join(ROOT, a.path), a.content);
    console.log(`${a.path} (${a.path.endsWith('.bpf') ? `${a.content.length / 8} instructions` : 'disassembly'})`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
