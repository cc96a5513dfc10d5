/**
 * Reading an input file with a size limit: in pieces, stopping once it holds more than the
 * limit, so a file that is too large (or a device like /dev/zero, which never ends) costs no
 * more than the limit. Used for every file whose size is not bounded by its purpose already:
 * filters, BPF listings, OCI profiles. fs errors are thrown as they are, for the caller to word.
 */
import { open } from 'node:fs/promises';

const PIECE = 1 << 16;

/** Up to `max` bytes of `path`: the whole file when it has at most `max`, else exactly `max`. */
export async function readFileBounded(path: string, max: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    while (total < max) {
      const want = Math.min(PIECE, max - total);
      const { bytesRead, buffer } = await handle.read(Buffer.alloc(want), 0, want, null);
      if (bytesRead === 0) break;
      chunks.push(buffer.subarray(0, bytesRead));
      total += bytesRead;
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}
