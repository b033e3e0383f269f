/** Issue 19, item 12: deleted checksum notes are reported by verify and rebuilt by repair. */
import { afterEach, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { makeTempVault } from '../testing/temp-vault.js';
import type { TempVault } from '../testing/temp-vault.js';
import { save } from './save.js';
import { log, resolveVersion } from './query.js';
import { verify } from './verify.js';
import { rebuildNotes, repair } from './repair.js';

let t: TempVault;
afterEach(async () => t?.cleanup());

async function threeSaves(md5 = false): Promise<string[]> {
  t = await makeTempVault({ config: { checksum: { md5 } } });
  const commits: string[] = [];
  await t.write('a.csv', 'id\n1\n');
  await t.write('b.json', '{"x":1}');
  commits.push((await save(t.vault, { files: ['a.csv', 'b.json'], experiment: 'exp-1' })).commit!);
  await t.write('a.csv', 'id\n1\n2\n');
  commits.push((await save(t.vault, { files: ['a.csv'] })).commit!);
  await t.write('a.csv', 'id\n1\n2\n3\n');
  commits.push((await save(t.vault, { files: ['a.csv'] })).commit!);
  return commits;
}

const gitNote = (commit: string) => JSON.parse(t.git(['notes', '--ref=savepoint', 'show', commit])) as { files: Record<string, { size: number; sha256: string; md5?: string; version: number; savedAt: string; experiment?: string }> };

describe('missing checksum notes', () => {
  it('verify reports saves without notes as a problem (E_NOTE_MISSING), not "OK, 0 B checked"', async () => {
    await threeSaves();
    t.git(['update-ref', '-d', 'refs/notes/savepoint']);
    const v = await t.reopen();
    const r = await verify(v, {});
    expect(r.ok).toBe(false);
    expect(r.unnoted).toBe(4);
    expect(r.verified).toBe(0);
    expect(r.bytes).toBeGreaterThan(0);
    expect(r.items.every((i) => i.status === 'unnoted' && i.code === 'E_NOTE_MISSING' && /savepoint repair/.test(i.message!))).toBe(true);
    const latest = await resolveVersion(v, 'a.csv');
    expect(latest).toMatchObject({ version: 3, noteMissing: true, size: -1 });
  });

  it('repair rebuilds them from trailers and blobs; git reads the notes; verify passes again', async () => {
    const commits = await threeSaves(true);
    const before = commits.map(gitNote);
    t.git(['update-ref', '-d', 'refs/notes/savepoint']);
    const v = await t.reopen();
    const dry = await repair(v, { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, saves: 3, noted: 0, ok: true, notesCommit: null });
    expect(dry.rebuilt.map((n) => n.commit)).toEqual(commits);
    expect(() => t.git(['rev-parse', '--verify', '-q', 'refs/notes/savepoint'])).toThrow();

    const r = await rebuildNotes(v, {});
    expect(r.rebuilt).toHaveLength(3);
    expect(r.notesCommit).toBe(t.git(['rev-parse', 'refs/notes/savepoint']).trim());
    commits.forEach((c, i) => {
      const note = gitNote(c);
      for (const [p, e] of Object.entries(before[i]!.files)) {
        expect(note.files[p]).toMatchObject({ version: e.version, sha256: e.sha256, size: e.size, md5: e.md5!, ...(e.experiment ? { experiment: e.experiment } : {}) });
        expect(note.files[p]!.experiment).toBe(e.experiment);
        expect(note.files[p]!.savedAt).toBe(new Date(Number(t.git(['log', '-1', '--format=%ct', c]).trim()) * 1000).toISOString());
      }
    });
    t.git(['fsck', '--strict']);
    const again = await verify(await t.reopen(), {});
    expect(again).toMatchObject({ ok: true, unnoted: 0, verified: 4 });
    expect((await log(await t.reopen(), {})).every((x) => x.size > 0 && !x.noteMissing)).toBe(true);
    // a second run has nothing to do
    expect(await repair(await t.reopen(), {})).toMatchObject({ saves: 3, noted: 3, rebuilt: [], problems: [], notesCommit: null });
  });

  it('rebuilds an unreadable note from the trailers (issue 13), and writes nothing for damaged content', async () => {
    const commits = await threeSaves();
    // commit 0 keeps its note but it is garbage; commit 1 loses its note; commit 2 keeps a good one
    t.git(['notes', '--ref=savepoint', 'add', '-f', '-m', 'not json', commits[0]!]);
    t.git(['notes', '--ref=savepoint', 'remove', commits[1]!]);
    const goodNote = t.git(['notes', '--ref=savepoint', 'show', commits[2]!]);
    // damage the content of commit 1's a.csv (loose object) so its sha256 no longer matches the trailer
    const blob = t.git(['rev-parse', `${commits[1]}:a.csv`]).trim();
    const file = path.join(t.dir, '.git', 'objects', blob.slice(0, 2), blob.slice(2));
    const zlib = await import('node:zlib');
    const raw = zlib.inflateSync(await fsp.readFile(file));
    const text = raw.toString('latin1').replace('2\n', '9\n');
    await fsp.chmod(file, 0o644);
    await fsp.writeFile(file, zlib.deflateSync(Buffer.from(text, 'latin1')));

    // and a save commit whose sha256 trailer does not match its content (written by hand, no note)
    const tip = commits[2]!;
    const forged = t.git(['commit-tree', `${tip}^{tree}`, '-p', tip, '-m', `Save a.csv v4\n\nSavepoint-Version: a.csv=4\nSavepoint-Sha256: a.csv=${'0'.repeat(64)}`]).trim();
    t.git(['update-ref', 'refs/heads/main', forged, tip]);

    const r = await repair(await t.reopen(), {});
    expect(r.ok).toBe(false);
    expect(r.rebuilt.map((n) => [n.commit, n.reason])).toEqual([[commits[0], 'damaged']]);
    expect(r.problems.map((p) => [p.commit, p.code])).toEqual([
      [commits[1], 'E_OBJECT_CORRUPT'], // damaged object: not re-checkable
      [forged, 'E_CHECKSUM_MISMATCH'], // content does not match the trailer
      [commits[1], 'E_OBJECT_CORRUPT'], // and no remote or archive holds a good copy of it
    ]);
    expect(r.objects).toEqual([expect.objectContaining({ blob, status: 'unfixed', tried: [] })]);
    expect(() => t.git(['notes', '--ref=savepoint', 'show', forged])).toThrow();
    expect(JSON.parse(t.git(['notes', '--ref=savepoint', 'show', commits[0]!])).files['a.csv']).toMatchObject({ version: 1, source: 'repair' });
    expect(() => t.git(['notes', '--ref=savepoint', 'show', commits[1]!])).toThrow();
    expect(t.git(['notes', '--ref=savepoint', 'show', commits[2]!])).toBe(goodNote);
  });

  it('adds rebuilt notes beside the notes that are still there', async () => {
    const commits = await threeSaves();
    const kept = t.git(['notes', '--ref=savepoint', 'show', commits[0]!]);
    t.git(['notes', '--ref=savepoint', 'remove', commits[2]!]);
    const r = await repair(await t.reopen(), {});
    expect(r).toMatchObject({ noted: 2, ok: true });
    expect(r.rebuilt.map((n) => n.commit)).toEqual([commits[2]]);
    expect(t.git(['notes', '--ref=savepoint', 'show', commits[0]!])).toBe(kept);
    expect(gitNote(commits[2]!).files['a.csv']).toMatchObject({ version: 3, size: 9 });
  });
});
