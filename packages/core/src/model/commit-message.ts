/**
 * Save commit messages: summary, blank line, description, trailers. Pure.
 *
 * Trailers are the last paragraph of the message and are only read from there, so a description can never
 * forge one. A path that a plain `Savepoint-Version: <path>=<n>` line could not carry (a newline or other
 * control character, a backslash, a leading double quote, leading or trailing spaces) is written C-quoted
 * as git quotes paths: `Savepoint-Version: "a\nb.csv"=3` (issue 19).
 */
import { SavepointError } from '../errors.js';

export interface SaveMessageInput {
  summary: string;
  description?: string;
  files: { path: string; version: number; sha256: string }[];
  experiment?: string;
}

export function buildSaveMessage(input: SaveMessageInput): string {
  const lines = [input.summary.split('\n')[0]!.trim() || 'Save'];
  if (input.description && input.description.trim()) {
    lines.push('', input.description.trim());
  }
  lines.push('');
  lines.push(...trailerLines(input.files));
  if (input.experiment) {
    if (hasControlChar(input.experiment)) throw new Error('experiment ids may not contain control characters (checked by save)');
    lines.push(`Savepoint-Experiment: ${input.experiment}`);
  }
  return lines.join('\n') + '\n';
}

/** The Savepoint-Version and Savepoint-Sha256 lines for these files (also used in tag messages). */
export function trailerLines(files: { path: string; version: number; sha256: string }[]): string[] {
  return [...files.map((f) => `Savepoint-Version: ${quoteTrailerPath(f.path)}=${f.version}`), ...files.map((f) => `Savepoint-Sha256: ${quoteTrailerPath(f.path)}=${f.sha256}`)];
}

/** A C0 control character or DEL. */
export function hasControlChar(text: string, allow = ''): boolean {
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if ((c < 0x20 || c === 0x7f) && !allow.includes(ch)) return true;
  }
  return false;
}

const NAMED_ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t', '\r': '\\r', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\v': '\\v' };
const UNESCAPE: Record<string, string> = { '\\': '\\', '"': '"', n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v' };

/** The path as it appears in a trailer: unchanged when that is unambiguous, C-quoted otherwise. */
export function quoteTrailerPath(p: string): string {
  if (!hasControlChar(p) && !p.includes('\\') && !p.startsWith('"') && p.trim() === p) return p;
  let out = '"';
  for (const ch of p) {
    const c = ch.codePointAt(0)!;
    if (NAMED_ESCAPES[ch]) out += NAMED_ESCAPES[ch];
    else if (c < 0x20 || c === 0x7f) out += '\\' + c.toString(8).padStart(3, '0');
    else out += ch;
  }
  return out + '"';
}

/** Read a C-quoted path at the start of `text`: the path and the rest after the closing quote, or null. */
function unquoteTrailerPath(text: string): { path: string; rest: string } | null {
  if (!text.startsWith('"')) return null;
  let out = '';
  for (let i = 1; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') return { path: out, rest: text.slice(i + 1) };
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = text[i + 1];
    if (next === undefined) return null;
    if (UNESCAPE[next] !== undefined) {
      out += UNESCAPE[next];
      i++;
    } else if (/^[0-7]{3}$/.test(text.slice(i + 1, i + 4))) {
      out += String.fromCharCode(Number.parseInt(text.slice(i + 1, i + 4), 8));
      i += 3;
    } else return null;
  }
  return null;
}

/** The path as shown in a one-line summary (quoted like a trailer when it holds a newline or the like). */
export function displayPath(p: string): string {
  return quoteTrailerPath(p);
}

export function defaultSummary(files: { path: string; version: number }[]): string {
  if (files.length === 1) return `Save ${displayPath(files[0]!.path)} v${files[0]!.version}`;
  return `Save ${files.length} files: ${files.map((f) => `${displayPath(f.path)} v${f.version}`).join(', ')}`.slice(0, 200);
}

export interface ParsedTrailers {
  versions: Map<string, number>;
  sha256: Map<string, string>;
  experiment?: string;
}

const TRAILER_RE = /^Savepoint-(Version|Sha256|Experiment): (.*)$/;

/** The lines of the trailer block: the last paragraph, never the summary's. Empty when there is none. */
function trailerBlock(message: string): { start: number; lines: string[] } {
  const lines = message.replace(/\n+$/, '').split('\n');
  let start = lines.length;
  while (start > 0 && lines[start - 1] !== '') start--;
  // the block must follow a blank line after the summary; a one-paragraph message has no trailers
  if (start < 2) return { start: lines.length, lines: [] };
  const block = lines.slice(start);
  return block.some((l) => TRAILER_RE.test(l)) ? { start, lines: block } : { start: lines.length, lines: [] };
}

export function parseTrailers(message: string): ParsedTrailers {
  const out: ParsedTrailers = { versions: new Map(), sha256: new Map() };
  for (const line of trailerBlock(message).lines) {
    const m = TRAILER_RE.exec(line);
    if (!m) continue;
    const [, key, value] = m;
    if (key === 'Experiment') {
      out.experiment = value!;
      continue;
    }
    let p: string;
    let v: string;
    const quoted = unquoteTrailerPath(value!);
    if (quoted && quoted.rest.startsWith('=')) {
      p = quoted.path;
      v = quoted.rest.slice(1);
    } else {
      // plain form (and messages written before quoting): the last "=" separates, so paths may contain "="
      const eq = value!.lastIndexOf('=');
      if (eq <= 0) continue;
      p = value!.slice(0, eq);
      v = value!.slice(eq + 1);
    }
    if (key === 'Version') {
      if (!/^\d{1,15}$/.test(v)) continue;
      out.versions.set(p, Number(v));
    } else out.sha256.set(p, v);
  }
  return out;
}

/** First line of a commit message. */
export function summaryOf(message: string): string {
  return message.split('\n')[0] ?? '';
}

/** Body between the summary and the trailers (the trailer block is the last paragraph only). */
export function descriptionOf(message: string): string {
  const { start } = trailerBlock(message);
  const lines = message.replace(/\n+$/, '').split('\n');
  return lines.slice(2, start).join('\n').trim();
}

/** The message of an annotated tag on one version (`savepoint tag`): the given text or "<path> v<n>", then its trailers. */
export function buildVersionTagMessage(rec: { path: string; version: number; sha256: string }, message?: string): string {
  return `${message ?? `${displayPath(rec.path)} v${rec.version}`}\n\n${trailerLines([rec]).join('\n')}\n`;
}

/** The message of the tag `save --tag <name>` puts on its save. */
export function buildSaveTagMessage(name: string, files: { path: string; version: number }[]): string {
  return `${name}\n\n${files.map((f) => `${displayPath(f.path)} v${f.version}`).join('\n')}\n`;
}

/** What a save was asked to record: `message` as typed (first line = summary), an optional separate description. */
export interface SaveTexts {
  message?: string;
  description?: string;
  experiment?: string;
}

/**
 * Texts that go into the commit message: a control character could break the trailer block or the
 * commit object (issue 19). Windows line ends are accepted (as \n); tabs and newlines in messages too.
 * Returns the texts with line ends normalised.
 */
export function checkSaveTexts<T extends SaveTexts>(opts: T): T {
  if (opts.experiment !== undefined && hasControlChar(opts.experiment)) {
    throw new SavepointError('E_INVALID_ARGUMENT', `--experiment must be one line without control characters (got ${JSON.stringify(opts.experiment)}). Use an id such as "exp-7" or "run 2026-05-01".`, { experiment: opts.experiment });
  }
  const out = { ...opts };
  for (const key of ['message', 'description'] as const) {
    const text = opts[key]?.replace(/\r\n/g, '\n');
    if (text === undefined) continue;
    if (hasControlChar(text, '\n\t')) {
      throw new SavepointError('E_INVALID_ARGUMENT', `The ${key === 'message' ? '--message' : 'description'} contains a control character other than newline or tab (${JSON.stringify(text.slice(0, 80))}). Remove it and save again.`, { [key]: text });
    }
    out[key] = text;
  }
  return out;
}

/** The commit message of a save of `files` asked for with these texts (the default summary when there is no message). */
export function buildSaveMessageFor(texts: SaveTexts, files: { path: string; version: number; sha256: string }[]): string {
  return buildSaveMessage({
    summary: texts.message?.split('\n')[0] || defaultSummary(files),
    description: texts.description ?? texts.message?.split('\n').slice(1).join('\n'),
    files,
    ...(texts.experiment ? { experiment: texts.experiment } : {}),
  });
}
