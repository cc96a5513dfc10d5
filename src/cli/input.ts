/**
 * Inputs and outputs shared by the `disasm` and `asm` commands: a file argument where `-` means
 * stdin (files themselves are read by program-file.ts), and whether stdout is a terminal.
 */
import type { CliIO } from './io.js';
import { readFilterFile } from './program-file.js';

/** The bytes of `path`, or of stdin for `-`. Unreadable files are a UserError naming the file. */
export async function readInput(path: string, io: CliIO): Promise<Buffer> {
  return path === '-' ? io.readStdin() : Buffer.from(await readFilterFile(path));
}

/** Whether a stream is a terminal (binary output to one is refused unless asked for). */
export function isTerminal(stream: CliIO['stdout']): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}
