/**
 * `seccompile`: dispatches to a subcommand. Each subcommand lives in its own module, loaded only
 * when invoked, so `seccompile policy.ts -o out.bpf` never loads wabt and `disasm` never loads esbuild.
 * A first argument that is not a subcommand name means "compile this policy".
 */
import { existsSync } from 'node:fs';
import { didYouMean, nearestNames } from '../../syscalls/nearest.js';
import { processIO, UsageError, UserError, type CliIO, type Command } from '../io.js';
import { restoreSetAsideEnv } from '../jail/jail-env.js';
import { sourceKind } from '../../source/kinds.js';

interface CommandEntry {
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

/** Subcommands in the order `--help` lists them. */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  compile: {
    summary: 'compile a policy to a seccomp filter (the default: seccompile POLICY ...)',
    load: async () => (await import('./commands/compile.js')).run,
  },
  validate: {
    summary: "check a filter with the kernel's seccomp rules",
    load: async () => (await import('./commands/validate.js')).run,
  },
  disasm: {
    summary: 'list a filter as annotated classic BPF text (--source POLICY: with the rule of each instruction)',
    load: async () => (await import('./commands/disasm.js')).run,
  },
  asm: {
    summary: 'assemble classic BPF text into a filter',
    load: async () => (await import('./commands/asm.js')).run,
  },
  eval: {
    summary: 'run a filter on system calls given as JSON lines',
    load: async () => (await import('./commands/eval.js')).run,
  },
  wasm: {
    summary: 'print the WebAssembly text the JIT runs for a filter',
    load: async () => (await import('./commands/wasm.js')).run,
  },
  diff: {
    summary: 'where two policies or filters decide differently (exact for compare-only filters)',
    load: async () => (await import('./commands/diff.js')).run,
  },
  verify: {
    summary: "check a policy's compiled filter against the policy's own semantics",
    load: async () => (await import('./commands/verify.js')).run,
  },
  test: {
    summary: 'run expectation lines (JSON) against a policy and print a pass/fail table',
    load: async () => (await import('./commands/test.js')).run,
  },
  explain: {
    summary: 'what a policy decides for each syscall per arch, and which rule decides',
    load: async () => (await import('./commands/explain.js')).run,
  },
  syscalls: {
    summary: 'resolve syscall names and numbers per arch, and list syscall groups',
    load: async () => (await import('./commands/syscalls.js')).run,
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length), 8);
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: seccompile POLICY [-o FILE] [options]   compile a policy (.ts, .js, OCI .json) to a filter',
    '       seccompile COMMAND [options]            run a command (see below)',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `seccompile COMMAND --help` for the options of a command.',
    '',
  ].join('\n');
}

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write('seccompile: missing a policy file or a command (see seccompile --help)\n');
    return 2;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    io.stdout.write(usage());
    return 0;
  }
  if (first === '--version' || first === '-V') {
    const { packageVersion } = await import('../../launcher/package-version.js');
    io.stdout.write(`seccompile ${packageVersion()}\n`);
    return 0;
  }
  let name = first;
  let args: readonly string[] = rest;
  let loader: typeof import('../../loader/policy-file.js') | undefined;
  if (!Object.hasOwn(COMMANDS, first)) {
    if (first.startsWith('-') || !Object.hasOwn(COMMANDS, 'compile')) {
      io.stderr.write(`seccompile: unknown command or option '${first}' (see seccompile --help)\n`);
      return 2;
    }
    if (!looksLikeFile(first)) {
      const hint = didYouMean(nearestNames(first, Object.keys(COMMANDS)));
      io.stderr.write(`seccompile: '${first}' is neither a command${hint} nor a policy file (see seccompile --help)\n`);
      return 2;
    }
    name = 'compile';
    args = argv;
    // A policy that is code: its worker starts before the compile command's modules load.
    if (sourceKind(first) === 'module' && existsSync(first)) {
      loader = await import('../../loader/policy-file.js');
      loader.startEarly();
    }
  }
  try {
    const command = await COMMANDS[name]!.load();
    return await command(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`seccompile ${name}: ${e.message} (see seccompile ${name} --help)\n`);
      return 2;
    }
    if (e instanceof UserError) {
      io.stderr.write(`seccompile ${name}: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    loader?.discardEarly();
  }
}

/**
 * Whether a first argument that names no command is meant as a policy file: it exists, or it
 * has a path separator or an extension. A bare word that is neither is a mistyped command.
 */
function looksLikeFile(arg: string): boolean {
  return arg.includes('/') || arg.includes('.') || existsSync(arg);
}

/** Exit status when the reader of stdout goes away (`seccompile ... | head`): 128 + SIGPIPE, as a C tool's. */
export const EPIPE_STATUS = 141;

// Run when executed as the bundled CLI, not when imported by tests.
if (process.argv[1] && /seccompile(\.js|\.ts)?$/.test(process.argv[1])) {
  // bin/seccompile set NODE_EXTRA_CA_CERTS aside for this Node; processes we start get it back.
  restoreSetAsideEnv();
  // A closed pipe ends the command quietly instead of an unhandled 'error' event with a stack.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(EPIPE_STATUS);
  });
  main(process.argv.slice(2), processIO).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`seccompile: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 70;
    },
  );
}
