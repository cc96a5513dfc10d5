/**
 * A small JSON parser for seccomp profiles that keeps what JSON.parse throws away: the line and
 * column of every value (for diagnostics with a place) and the exact source text of numbers
 * (profile values are u64: 18446744073709551615 must not become a double). Strict RFC 8259:
 * no comments, no trailing commas. Duplicate keys are kept in order; the reader decides.
 */

export interface JsonPos {
  readonly line: number;
  readonly column: number;
}

export type JsonNode =
  | { readonly kind: 'object'; readonly pos: JsonPos; readonly entries: readonly JsonEntry[] }
  | { readonly kind: 'array'; readonly pos: JsonPos; readonly items: readonly JsonNode[] }
  | { readonly kind: 'string'; readonly pos: JsonPos; readonly value: string }
  | { readonly kind: 'number'; readonly pos: JsonPos; readonly text: string }
  | { readonly kind: 'bool'; readonly pos: JsonPos; readonly value: boolean }
  | { readonly kind: 'null'; readonly pos: JsonPos };

export interface JsonEntry {
  readonly key: string;
  readonly keyPos: JsonPos;
  readonly value: JsonNode;
}

/** Malformed JSON, at a place. */
export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(
    message: string,
    readonly pos: JsonPos,
  ) {
    super(`${pos.line}:${pos.column}: ${message}`);
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Parses `text` into a JsonNode tree; throws JsonSyntaxError. */
export function parseJson(text: string): JsonNode {
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const pos = (): JsonPos => ({ line, column: i - lineStart + 1 });
  const fail = (msg: string): never => {
    throw new JsonSyntaxError(msg, pos());
  };
  const skip = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x0a) {
        i++;
        line++;
        lineStart = i;
      } else if (c === 0x20 || c === 0x09 || c === 0x0d) i++;
      else return;
    }
  };
  const expect = (ch: string): void => {
    if (text[i] !== ch) fail(i >= text.length ? `expected '${ch}', found end of input` : `expected '${ch}', found '${text[i]}'`);
    i++;
  };
  // Scans by char code and copies runs between escapes as slices: building strings a character
  // at a time made a large profile's parse mostly garbage collection.
  const str = (): string => {
    expect('"');
    let out = '';
    let run = i;
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(run, i);
        i++;
        return out;
      }
      if (c === 0x5c) {
        out += text.slice(run, i);
        const e = text[i + 1] ?? '';
        if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else if (Object.hasOwn(ESCAPES, e)) {
          out += ESCAPES[e];
          i += 2;
        } else fail(`bad escape '\\${e}'`);
        run = i;
      } else if (c < 0x20) fail('control character in string');
      else i++;
    }
  };
  const value = (depth: number): JsonNode => {
    if (depth > 64) fail('nested too deeply');
    skip();
    const at = pos();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: JsonEntry[] = [];
      skip();
      if (text[i] === '}') {
        i++;
        return { kind: 'object', pos: at, entries };
      }
      for (;;) {
        skip();
        const keyPos = pos();
        if (text[i] !== '"') fail('expected a string key');
        const key = str();
        skip();
        expect(':');
        entries.push({ key, keyPos, value: value(depth + 1) });
        skip();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expect('}');
        return { kind: 'object', pos: at, entries };
      }
    }
    if (c === '[') {
      i++;
      const items: JsonNode[] = [];
      skip();
      if (text[i] === ']') {
        i++;
        return { kind: 'array', pos: at, items };
      }
      for (;;) {
        items.push(value(depth + 1));
        skip();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expect(']');
        return { kind: 'array', pos: at, items };
      }
    }
    if (c === '"') return { kind: 'string', pos: at, value: str() };
    // Literals by their first character, so that numbers (most values) allocate nothing on the way.
    if (c === 't' && text.startsWith('true', i)) {
      i += 4;
      return { kind: 'bool', pos: at, value: true };
    }
    if (c === 'f' && text.startsWith('false', i)) {
      i += 5;
      return { kind: 'bool', pos: at, value: false };
    }
    if (c === 'n' && text.startsWith('null', i)) {
      i += 4;
      return { kind: 'null', pos: at };
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m && m[0] !== '' && m[0] !== '-') {
      i += m[0].length;
      return { kind: 'number', pos: at, text: m[0] };
    }
    return fail(i >= text.length ? 'unexpected end of input' : `unexpected '${c}'`);
  };
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  const root = value(0);
  skip();
  if (i < text.length) fail(`unexpected '${text[i]}' after the document`);
  return root;
}
