/**
 * git's ref-name rules (`git check-ref-format`, refs.c check_refname_format), as pure functions.
 * Every ref name that comes from savepoint.json, a command-line option or a remote passes through here
 * before Savepoint reads or writes a ref with it. Returns the reason a name is refused, or null.
 */

/** Why `ref` (a full name such as refs/heads/main) breaks git's rules, or null when git accepts it. */
export function refFormatProblem(ref: string, opts: { allowOneLevel?: boolean } = {}): string | null {
  if (ref === '') return 'it is empty';
  if (ref === '@') return 'it is the single character "@"';
  for (const ch of ref) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || c === 0x7f) return 'it contains a control character (such as a newline or tab)';
    if (ch === ' ') return 'it contains a space';
    if ('~^:?*[\\'.includes(ch)) return `it contains "${ch}"`;
  }
  if (ref.includes('..')) return 'it contains ".."';
  if (ref.includes('@{')) return 'it contains "@{"';
  if (ref.startsWith('/') || ref.endsWith('/')) return 'it starts or ends with "/"';
  if (ref.includes('//')) return 'it contains "//"';
  if (ref.endsWith('.')) return 'it ends with "."';
  for (const part of ref.split('/')) {
    if (part.startsWith('.')) return `the part "${part}" starts with "."`;
    if (part.endsWith('.lock')) return `the part "${part}" ends with ".lock"`;
  }
  if (!opts.allowOneLevel && !ref.includes('/')) return 'it has only one level (full ref names look like refs/heads/<name>)';
  return null;
}

/** As `git check-ref-format --branch <name>`: why a branch name is refused, or null. */
export function branchNameProblem(name: string): string | null {
  if (name.startsWith('-')) return 'it starts with "-"';
  if (name === 'HEAD' || name === '@') return `it is "${name}", which git reads as the current commit`;
  return refFormatProblem(`refs/heads/${name}`);
}

export function isValidBranchName(name: string): boolean {
  return branchNameProblem(name) === null;
}

/** Names git resolves specially; a tag (or branch) with one of these names would be ambiguous. */
const RESERVED_NAMES = new Set(['HEAD', 'FETCH_HEAD', 'ORIG_HEAD', 'MERGE_HEAD', 'CHERRY_PICK_HEAD', 'REVERT_HEAD', 'BISECT_HEAD', 'AUTO_MERGE']);
/** `git rev-parse` tries refs/<x>, refs/tags/<x>, refs/heads/<x>, refs/remotes/<x>: names starting so are ambiguous. */
const AMBIGUOUS_PREFIXES = ['refs/', 'heads/', 'tags/', 'remotes/', 'notes/'];

/**
 * Why a tag name is refused, or null: git's rules for refs/tags/<name>, no leading "-" (as `git tag`),
 * and nothing git would read as another ref (HEAD, refs/…, heads/…, or the name of an existing branch).
 */
export function tagNameProblem(name: string, branches: Iterable<string> = []): string | null {
  if (name.startsWith('-')) return 'it starts with "-"';
  const format = refFormatProblem(`refs/tags/${name}`);
  if (format) return format;
  if (RESERVED_NAMES.has(name)) return `"${name}" is a name git reserves`;
  const prefix = AMBIGUOUS_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `it starts with "${prefix}", which git would read as another kind of ref`;
  for (const b of branches) if (b === name) return `a branch is named "${name}" too, so the name would be ambiguous`;
  return null;
}

/**
 * Remote names: git's rule (refs/remotes/<name>/x must be a valid ref) narrowed to letters, digits,
 * ".", "_" and "-" (no leading "." or "-"), so a name is also safe in .git/config and in messages.
 */
export function remoteNameProblem(name: string): string | null {
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/.test(name)) return 'use 1–64 letters, digits, ".", "_" or "-", not starting with "." or "-"';
  return refFormatProblem(`refs/remotes/${name}/x`);
}
