/**
 * End-to-end regressions from the hostile trial (issue 19): config-supplied ref names, forged trailers,
 * deleted checksum notes, odd addresses, ambiguous tag names, usage errors. The bundled CLI, real git.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { git, sp, tempDir } from './helpers/cli.js';

let root: string;
beforeAll(async () => {
  root = await tempDir();
});
afterAll(async () => fsp.rm(root, { recursive: true, force: true }));

let n = 0;
async function newVault(): Promise<string> {
  // nested four levels deep, so "../../../../victim.txt" from .git/refs/heads lands in `root`
  const vault = path.join(root, `v${++n}`);
  expect(sp(root, ['init', `v${n}`]).code).toBe(0);
  return vault;
}

async function editConfig(vault: string, patch: Record<string, unknown>, prefix = ''): Promise<void> {
  const file = path.join(vault, 'savepoint.json');
  const raw = JSON.parse(await fsp.readFile(file, 'utf8'));
  await fsp.writeFile(file, prefix + JSON.stringify({ ...raw, ...patch }, null, 2) + '\n');
}

function fsckStrict(dir: string): void {
  const r = git(dir, ['fsck', '--strict']);
  expect(r).not.toMatch(/error|badRefName/i);
}

describe('historyBranch from savepoint.json', () => {
  it('"../../../../victim.txt" is refused at config parse; nothing outside the vault is written', async () => {
    const vault = await newVault();
    await fsp.writeFile(path.join(vault, 'a.csv'), 'x\n1\n');
    const victim = path.join(root, 'victim.txt');
    await fsp.writeFile(victim, 'precious\n');
    await editConfig(vault, { historyBranch: '../../../../victim.txt' });
    const r = sp(vault, ['save', 'a.csv']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/error \[E_CONFIG_INVALID\] .*"historyBranch": "\.\.\/\.\.\/\.\.\/\.\.\/victim\.txt" is not a valid git branch name/);
    expect(await fsp.readFile(victim, 'utf8')).toBe('precious\n');
    const j = sp(vault, ['save', 'a.csv', '--json']);
    expect(j.json.error).toMatchObject({ code: 'E_CONFIG_INVALID', details: { problems: [{ key: 'historyBranch' }] } });
  });

  it('"main;rm -rf /" is refused and leaves no ref git fsck --strict rejects', async () => {
    const vault = await newVault();
    await fsp.writeFile(path.join(vault, 'a.csv'), 'x\n1\n');
    await editConfig(vault, { historyBranch: 'main;rm -rf /' });
    expect(sp(vault, ['save', 'a.csv']).code).toBe(4);
    fsckStrict(vault);
    expect(git(vault, ['for-each-ref', '--format=%(refname)'])).toBe('refs/heads/main\n');
  });

  it('a typo is E_HISTORY_BRANCH_MISSING naming the branch with the saves, not a fresh history at v1', async () => {
    const vault = await newVault();
    await fsp.writeFile(path.join(vault, 'a.csv'), 'x\n1\n');
    expect(sp(vault, ['save', 'a.csv']).code).toBe(0);
    await editConfig(vault, { historyBranch: 'mian' });
    await fsp.writeFile(path.join(vault, 'a.csv'), 'x\n2\n');
    const r = sp(vault, ['save', 'a.csv']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/error \[E_HISTORY_BRANCH_MISSING\] The history branch "mian" .* does not exist.*"main" holds Savepoint saves.*Set "historyBranch" in savepoint.json to "main"/);
    expect(sp(vault, ['log', '--json']).json.error.code).toBe('E_HISTORY_BRANCH_MISSING');
    expect(git(vault, ['for-each-ref', '--format=%(refname)', 'refs/heads/'])).toBe('refs/heads/main\n');
  });

  it('accepts savepoint.json with a UTF-8 BOM', async () => {
    const vault = await newVault();
    await editConfig(vault, { maxVersions: 5 }, '\uFEFF');
    await fsp.writeFile(path.join(vault, 'a.csv'), 'x\n1\n');
    expect(sp(vault, ['save', 'a.csv']).code).toBe(0);
    expect(sp(vault, ['remote', 'add', 'nas', 'https://example.org/lab.git', '--media', 'nas']).code).toBe(0);
  });
});

describe('commit trailers cannot be forged', () => {
  it('saves a file named "…\\nSavepoint-Version: x=99" with a quoted trailer; refuses newlines in --experiment', async () => {
    const vault = await newVault();
    const evil = 'evil.csv\nSavepoint-Version: x=99';
    await fsp.writeFile(path.join(vault, evil), 'id\n1\n');
    const r = sp(vault, ['save', evil, '--json']);
    expect(r.code).toBe(0);
    expect(r.json.files[0]).toMatchObject({ path: evil, version: 1 });
    const body = git(vault, ['log', '-1', '--format=%B']);
    expect(body.split('\n').filter((l) => /^Savepoint-/.test(l))).toEqual([`Savepoint-Version: "evil.csv\\nSavepoint-Version: x=99"=1`, expect.stringMatching(/^Savepoint-Sha256: "evil\.csv\\nSavepoint-Version: x=99"=[0-9a-f]{64}$/)]);
    await fsp.rm(path.join(vault, '.git', 'savepoint'), { recursive: true, force: true });
    expect(sp(vault, ['log', '--json']).json.versions.map((v: any) => [v.path, v.version])).toEqual([[evil, 1]]);
    expect(sp(vault, ['verify']).code).toBe(0);
    fsckStrict(vault);

    await fsp.writeFile(path.join(vault, 'b.csv'), 'id\n1\n');
    const bad = sp(vault, ['save', 'b.csv', '--experiment', 'e1\nSavepoint-Version: b.csv=99']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/error \[E_INVALID_ARGUMENT\] --experiment must be one line/);
    expect(git(vault, ['rev-list', '--count', 'main']).trim()).toBe('2');
  });
});

describe('deleted checksum notes', () => {
  it('verify fails with E_NOTE_MISSING, show says so, repair rebuilds them (dry run first), git reads them', async () => {
    const vault = await newVault();
    await fsp.writeFile(path.join(vault, 'a.csv'), 'x\n1\n');
    expect(sp(vault, ['save', 'a.csv']).code).toBe(0);
    await fsp.writeFile(path.join(vault, 'a.csv'), 'x\n1\n2\n');
    expect(sp(vault, ['save', 'a.csv']).code).toBe(0);
    const commit = git(vault, ['rev-parse', 'main']).trim();
    const before = JSON.parse(git(vault, ['notes', '--ref', 'savepoint', 'show', commit]));
    git(vault, ['update-ref', '-d', 'refs/notes/savepoint']);

    const v = sp(vault, ['verify']);
    expect(v.code).toBe(10);
    expect(v.stdout).toMatch(/^unnoted\s+a\.csv@2 .*no checksum note/m);
    expect(v.stdout).toMatch(/PROBLEMS .*without checksum note 2 .*\(\d+ B checked\)/);
    expect(v.stdout).not.toMatch(/\(0 B checked\)/);
    expect(v.stdout).toMatch(/\[E_NOTE_MISSING\].*savepoint repair/);
    expect(sp(vault, ['verify', '--json']).json).toMatchObject({ ok: false, unnoted: 2, items: [{ code: 'E_NOTE_MISSING' }, { code: 'E_NOTE_MISSING' }] });

    const show = sp(vault, ['show', 'a.csv@2']);
    expect(show.stdout).toMatch(/^size\s+unknown \(no checksum note\)$/m);
    expect(show.stdout).toMatch(/^note\s+missing: .*savepoint repair/m);
    expect(show.stdout).not.toMatch(/-1 bytes/);

    const dry = sp(vault, ['repair', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect(dry.json).toMatchObject({ dryRun: true, saves: 2, rebuilt: [{}, { commit }], notesCommit: null });
    expect(sp(vault, ['repair', '--dry-run']).stdout).toMatch(/would rebuild note on/);
    expect(() => git(vault, ['notes', '--ref', 'savepoint', 'show', commit])).toThrow();

    const fixed = sp(vault, ['repair']);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/OK {2}2 saves: 0 already had notes, 2 rebuilt, 0 problems/);
    const after = JSON.parse(git(vault, ['notes', '--ref', 'savepoint', 'show', commit]));
    expect(after.files['a.csv']).toMatchObject({ version: 2, sha256: before.files['a.csv'].sha256, size: before.files['a.csv'].size, savedAt: before.files['a.csv'].savedAt.replace(/\.\d+Z$/, '.000Z') });
    expect(sp(vault, ['verify']).code).toBe(0);
    expect(sp(vault, ['show', 'a.csv@2']).stdout).toMatch(/^size\s+6 B \(6 bytes\)$/m);
    fsckStrict(vault);
  });
});

describe('minor items', () => {
  it('odd addresses give clear messages naming what exists', async () => {
    const vault = await newVault();
    await fsp.writeFile(path.join(vault, 'a.csv'), 'x\n1\n');
    sp(vault, ['save', 'a.csv']);
    await fsp.writeFile(path.join(vault, 'a.csv'), 'x\n2\n');
    sp(vault, ['save', 'a.csv']);
    const big = sp(vault, ['show', 'a.csv@9999999999']);
    expect(big.code).toBe(8);
    expect(big.stderr).toMatch(/error \[E_UNKNOWN_VERSION\] a\.csv has no version 9999999999 \(versions 1–2 exist\)/);
    const back = sp(vault, ['show', 'a.csv@-9999999999999999999999']);
    expect(back.code).toBe(8);
    expect(back.stderr).toMatch(/has no version @-9999999999999999999999: it has 2 versions \(versions 1–2\), so @-1 is as far back as it goes/);
    const empty = sp(vault, ['show', 'a.csv@']);
    expect(empty.code).toBe(8);
    expect(empty.stderr).toMatch(/error \[E_BAD_ADDRESS\] "a\.csv@" has nothing after "@"/);
  });

  it('refuses tag names that start with refs/ or name a branch', async () => {
    const vault = await newVault();
    await fsp.writeFile(path.join(vault, 'a.csv'), 'x\n1\n');
    sp(vault, ['save', 'a.csv']);
    for (const name of ['refs/heads/main', 'main', 'HEAD']) {
      const r = sp(vault, ['tag', 'a.csv@1', name]);
      expect(r.code, name).toBe(12);
      expect(r.stderr).toMatch(/error \[E_BAD_TAG_NAME\]/);
    }
    await fsp.writeFile(path.join(vault, 'a.csv'), 'x\n2\n');
    expect(sp(vault, ['save', 'a.csv', '--tag', 'refs/heads/main']).code).toBe(12);
    expect(git(vault, ['tag', '-l'])).toBe('');
    expect(git(vault, ['rev-list', '--count', 'main']).trim()).toBe('2');
  });

  it('unknown commands and options print `error [E_USAGE] …` like other errors', async () => {
    const r = sp(root, ['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error \[E_USAGE\] unknown command 'frobnicate'$/m);
    expect(sp(root, ['save', '--bogus']).stderr).toMatch(/^error \[E_USAGE\] unknown option '--bogus'$/m);
  });

  it('show gives the archive time as the archive time, and the verify time as the verify time', async () => {
    const vault = await newVault();
    for (let i = 1; i <= 3; i++) {
      await fsp.writeFile(path.join(vault, 'a.csv'), `x\n${i}\n`);
      expect(sp(vault, ['save', 'a.csv'], { env: { SAVEPOINT_NOW: `2026-05-0${i}T09:00:00Z` } }).code).toBe(0);
    }
    expect(sp(vault, ['verify'], { env: { SAVEPOINT_NOW: '2026-05-10T09:00:00Z' } }).code).toBe(0);
    const applied = sp(vault, ['retention', 'apply', '--keep-last', '1', '--yes', '--json'], { env: { SAVEPOINT_NOW: '2026-06-01T12:00:00Z' } });
    expect(applied.code).toBe(0);
    const file = applied.json.result.archives[0].file as string;
    const show = sp(vault, ['show', 'a.csv@1']).stdout;
    expect(show).toMatch(/^status\s+archived$/m);
    expect(show).toMatch(/^verified\s+2026-05-10T09:00:0\d\.000Z by Ada Tester$/m);
    expect(show).toMatch(new RegExp(`^archive\\s+${file.replace(/[.]/g, '\\.')} \\(archived 2026-06-01T12:00:0\\d\\.000Z\\)$`, 'm'));
  });
});
