import { DiffError } from '../errors.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

/** Line and column (1-based, columns in UTF-16 code units) of a character offset. */
export function lineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) { line++; last = i; }
  }
  return { line, column: offset - last };
}

/**
 * Find the offset and reason of the first syntax error in `text` (RFC 8259 grammar), or null when valid.
 * JSON.parse does the real parsing; this exists because engines word and position their errors differently.
 */
export function findJsonError(text: string): { offset: number; reason: string } | null {
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  class Fail { constructor(readonly offset: number, readonly reason: string) {} }
  const fail = (reason: string): never => { throw new Fail(i, reason); };
  const expectWord = (w: string) => {
    if (text.startsWith(w, i)) i += w.length;
    else fail(`invalid literal (expected ${w})`);
  };
  const str = () => {
    i++; // opening quote
    for (;;) {
      if (i >= n) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 34) { i++; return; }
      if (c < 0x20) fail('control character in string (escape it, e.g. \\n)');
      if (c === 92) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) { i++; fail('invalid \\u escape'); }
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else { i++; fail('invalid escape in string'); }
        continue;
      }
      i++;
    }
  };
  const num = () => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '' || m[0] === '-') fail('invalid number');
    i += m![0].length;
  };
  // Iterative grammar walk: `open` holds the containers we are inside, so nesting depth costs no call stack.
  const value = (): void => {
    const open: number[] = []; // 123 = object, 91 = array
    for (;;) {
      // Parse one value (or open a container).
      ws();
      if (i >= n) fail('unexpected end of input (a value is missing)');
      const c = text[i];
      let opened = false;
      if (c === '{') {
        i++; ws();
        if (text[i] === '}') i++;
        else { open.push(123); opened = true; }
      } else if (c === '[') {
        i++; ws();
        if (text[i] === ']') i++;
        else { open.push(91); opened = true; continue; }
      } else if (c === '"') str();
      else if (c === 't') expectWord('true');
      else if (c === 'f') expectWord('false');
      else if (c === 'n') expectWord('null');
      else if (c === '-' || (c! >= '0' && c! <= '9')) num();
      else fail(`unexpected character ${JSON.stringify(c)}`);
      if (opened) { member(); continue; }
      // After a value: close containers or move to the next element.
      for (;;) {
        if (open.length === 0) return;
        ws();
        const top = open[open.length - 1]!;
        if (text[i] === ',') {
          i++;
          if (top === 123) member();
          break;
        }
        if (top === 123 && text[i] === '}') { i++; open.pop(); continue; }
        if (top === 91 && text[i] === ']') { i++; open.pop(); continue; }
        if (top === 123) fail(i >= n ? "unexpected end of input (missing '}')" : "expected ',' or '}'");
        fail(i >= n ? "unexpected end of input (missing ']')" : "expected ',' or ']'");
      }
    }
  };
  /** An object member up to its value: `"name" :`. */
  const member = () => {
    ws();
    if (text[i] !== '"') fail('expected a double-quoted property name');
    str(); ws();
    if (text[i] !== ':') fail("expected ':' after property name");
    i++;
  };
  try {
    value();
    ws();
    if (i < n) fail('unexpected text after the JSON value');
    return null;
  } catch (e) {
    if (e instanceof Fail) return { offset: e.offset, reason: e.reason };
    throw e;
  }
}

/** Parse JSON text (a leading BOM is ignored). Invalid JSON throws E_JSON_MALFORMED with line and column. */
export function parseJson(text: string, label = 'input'): JsonValue {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text) as JsonValue;
  } catch (e) {
    const err = findJsonError(text) ?? { offset: 0, reason: (e as Error).message };
    const { line, column } = lineCol(text, err.offset);
    throw new DiffError(
      'E_JSON_MALFORMED',
      `Invalid JSON in ${label} at line ${line}, column ${column}: ${err.reason}. Fix the file and try again.`,
      { line, column, offset: err.offset, reason: err.reason, label },
      { cause: e },
    );
  }
}
