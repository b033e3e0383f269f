import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { branchNameProblem, refFormatProblem, remoteNameProblem, tagNameProblem } from './ref-name.js';

// outside any repository, so `--branch` cannot expand @{-1} and friends against a real reflog
const scratch = mkdtempSync(path.join(os.tmpdir(), 'sp-refname-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function gitAccepts(args: string[]): boolean {
  const r = spawnSync('git', ['check-ref-format', ...args], { cwd: scratch, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CEILING_DIRECTORIES: os.tmpdir() }, encoding: 'utf8' });
  if (r.error) throw r.error;
  return r.status === 0;
}

/** Names built from the pieces git's rules care about, so most runs hit an edge. */
const piece = fc.constantFrom('a', 'main', 'b1', 'é', '.', '..', '/', '//', '@', '@{', '{', '}', '-', '.lock', 'lock', '~', '^', ':', '?', '*', '[', ']', '\\', ' ', '\t', '\n', '\x7f', '\x01', '_', 'HEAD', 'refs');
const nameArb = fc.array(piece, { minLength: 1, maxLength: 7 }).map((parts) => parts.join(''));

describe('git ref-name rules (pure)', () => {
  it('accepts ordinary names and refuses the ones from the hostile trial', () => {
    for (const ok of ['main', 'savepoint', 'feature/x', 'exp-1.2', 'a@b', 'données']) expect(branchNameProblem(ok)).toBeNull();
    expect(branchNameProblem('../../../../victim.txt')).toMatch(/\.\./);
    expect(branchNameProblem('main;rm -rf /')).toMatch(/space/);
    expect(branchNameProblem('a\u0000b')).toMatch(/control/);
    for (const bad of ['', '@', '-x', 'x.lock', 'x/', '/x', 'a//b', 'x.', '.x', 'a/.b', 'a@{1}', 'a b', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[', 'a\\b', 'a\nb', 'a\x7fb', 'HEAD']) {
      expect(branchNameProblem(bad), bad).not.toBeNull();
    }
    expect(refFormatProblem('main')).toMatch(/one level/);
    expect(refFormatProblem('main', { allowOneLevel: true })).toBeNull();
  });

  it('never accepts a name that could leave .git/refs or hide a control character (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (name) => {
        if (branchNameProblem(name) !== null) return;
        const full = `refs/heads/${name}`;
        expect(path.posix.normalize(full)).toBe(full);
        expect(full.split('/')).not.toContain('..');
        expect(/[\x00-\x20\x7f]/.test(name)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('tag names: refuses refs/…, HEAD and names of branches', () => {
    expect(tagNameProblem('v1')).toBeNull();
    expect(tagNameProblem('sp/data.csv/v3')).toBeNull();
    expect(tagNameProblem('refs/heads/main')).toMatch(/refs\//);
    expect(tagNameProblem('heads/main')).toMatch(/heads\//);
    expect(tagNameProblem('HEAD')).toMatch(/reserves/);
    expect(tagNameProblem('main', ['main', 'savepoint'])).toMatch(/branch/);
    expect(tagNameProblem('-v1')).toMatch(/"-"/);
  });

  it('remote names stay within what git accepts', () => {
    expect(remoteNameProblem('origin')).toBeNull();
    expect(remoteNameProblem('nas.local')).toBeNull();
    for (const bad of ['', '.hidden', '-x', 'a b', 'a/b', '../x', 'x.lock', 'a..b']) expect(remoteNameProblem(bad), bad).not.toBeNull();
  });
});

describe('cross-check against the real `git check-ref-format`', () => {
  it('agrees on full ref names (generated)', () => {
    const names = fc.sample(nameArb, { numRuns: 300, seed: 19 }).map((n) => `refs/heads/${n}`);
    names.push('refs/heads/a.lock/b', 'refs/x/..', 'refs/heads/@', 'refs/heads/a@{b', 'refs/heads/x.', 'refs/heads//x', 'refs/heads/é');
    const disagree = names.filter((n) => gitAccepts([n]) !== (refFormatProblem(n) === null));
    expect(disagree).toEqual([]);
  });

  it('agrees on one-level names with --allow-onelevel (generated)', () => {
    // a leading "-" would be read as an option by git itself
    const names = fc.sample(nameArb, { numRuns: 200, seed: 7 }).filter((n) => !n.startsWith('-'));
    const disagree = names.filter((n) => gitAccepts(['--allow-onelevel', n]) !== (refFormatProblem(n, { allowOneLevel: true }) === null));
    expect(disagree).toEqual([]);
  });

  it('agrees on branch names with --branch (generated)', () => {
    // git --branch expands "@" and "@{-N}" against a repository first; those forms are compared on their own below
    const names = fc.sample(nameArb, { numRuns: 200, seed: 3 }).filter((n) => !n.startsWith('@'));
    names.push('-x', 'main', 'feature/x', 'HEAD', '@{-1}');
    // deliberately stricter than git: "@" alone is git's shorthand for HEAD, so it is refused as a branch name
    expect(branchNameProblem('@')).toMatch(/current commit/);
    const disagree = names.filter((n) => gitAccepts(['--branch', n]) !== (branchNameProblem(n) === null));
    expect(disagree).toEqual([]);
  });
});
