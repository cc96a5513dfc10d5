/**
 * Builds and runs test/kernel/probe.c (see its header for the protocol): gcc compiles it
 * (test/support/c-probe.ts); inputs are written as host-endian binary records into a
 * temporary directory.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Insn } from '../../src/bpf/isa.js';
import { encode } from '../../src/bpf/encode.js';
import { cProbe } from '../support/c-probe.js';

export { hasGcc } from '../support/c-probe.js';

export interface Probe {
  /** Runs `probe MODE` over `input` and returns its output lines. */
  run(mode: 'accept' | 'eval', input: Uint8Array): string[];
  dispose(): void;
}

export function buildProbe(): Probe {
  const dir = mkdtempSync(join(tmpdir(), 'seccompile-probe-'));
  const binary = cProbe('probe');
  return {
    run(mode, input) {
      const file = join(dir, `${mode}.bin`);
      writeFileSync(file, input);
      const out = execFileSync(binary, [mode, file], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] });
      return out.split('\n').slice(0, -1);
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Little helper to concatenate binary records (host order is little-endian on our CI hosts). */
export class Records {
  private readonly parts: Uint8Array[] = [];
  u32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    this.parts.push(b);
    return this;
  }
  u64(v: bigint): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
    this.parts.push(b);
    return this;
  }
  program(p: readonly Insn[]): this {
    this.parts.push(encode(p, 'little'));
    return this;
  }
  bytes(): Uint8Array {
    return Buffer.concat(this.parts);
  }
}
