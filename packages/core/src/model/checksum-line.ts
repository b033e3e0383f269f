/**
 * One line of a `sha256sum` / `md5sum` checksum file, in coreutils' format: `<hex>  <name>`. A name holding a
 * backslash, newline or carriage return is written in coreutils' escaped form (the line starts with `\`, the
 * name escapes them as `\\`, `\n`, `\r`), which `sha256sum -c` reads back. Shared by core's exports and the
 * pre-commit hook (@savepoint/core/checksums: loads nothing else of core). Pure.
 */
const NEEDS_ESCAPE = /[\\\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r' };
const UNESCAPES: Record<string, string> = { '\\': '\\', n: '\n', r: '\r' };

/** `<hex>  <name>` (no line end), escaped as coreutils does when the name needs it. */
export function checksumLine(hex: string, name: string): string {
  if (!NEEDS_ESCAPE.test(name)) return `${hex}  ${name}`;
  return `\\${hex}  ${name.replace(/[\\\n\r]/g, (c) => ESCAPES[c]!)}`;
}

/** The name of an escaped line (one that started with `\`) as it is on disk. */
export function unescapeChecksumName(s: string): string {
  return s.replace(/\\([\\nr])/g, (_, c: string) => UNESCAPES[c]!);
}
