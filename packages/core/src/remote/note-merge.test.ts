import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SaveNote } from '../model/note.js';
import { serializeNote } from '../model/note.js';
import { mergeNoteTexts, mergeNotes } from './note-merge.js';

const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
const date = fc.integer({ min: 0, max: 10 }).map((d) => `2026-05-0${Math.min(9, d + 1)}T0${d % 10}:00:00.000Z`);
const entry = fc.record(
  {
    version: fc.integer({ min: 1, max: 5 }),
    sha256: hex(64),
    size: fc.integer({ min: 0, max: 100 }),
    savedAt: date,
    source: fc.constantFrom('cli', 'api'),
    md5: hex(32),
    description: fc.constantFrom('a', 'b'),
  },
  { requiredKeys: ['version', 'sha256', 'size', 'savedAt', 'source'] },
);
const note: fc.Arbitrary<SaveNote> = fc.record(
  {
    schema: fc.constant(1 as const),
    files: fc.dictionary(fc.constantFrom('a.csv', 'b.csv', 'd/c.json'), entry, { minKeys: 1 }),
    status: fc.constantFrom('active', 'verified', 'archived'),
    verifiedAt: date,
    verifiedBy: fc.constantFrom('Ada', 'Bob'),
    kind: fc.constantFrom('manual', 'pre-change', 'auto'),
    keep: fc.constantFrom('permanent', 'pre-change', 'days:3', 'days:30'),
    archive: fc.constantFrom('a1.tar', 'a2.tar'),
  },
  { requiredKeys: ['schema', 'files', 'status'] },
) as fc.Arbitrary<SaveNote>;
const text = note.map(serializeNote);

describe('mergeNoteTexts', () => {
  it('is commutative, idempotent and associative', async () => {
    await fc.assert(
      fc.asyncProperty(text, text, text, async (a, b, c) => {
        expect(await mergeNoteTexts(a, b)).toBe(await mergeNoteTexts(b, a));
        expect(await mergeNoteTexts(a, a)).toBe(a);
        const left = await mergeNoteTexts(await mergeNoteTexts(a, b), c);
        const right = await mergeNoteTexts(a, await mergeNoteTexts(b, c));
        expect(JSON.parse(left)).toEqual(JSON.parse(right));
      }),
      { numRuns: 300 },
    );
  });

  it('never loses a file, never lowers the status, keeps the newest verification', () => {
    const rank = { active: 0, verified: 1, archived: 2 };
    fc.assert(
      fc.property(note, note, (a, b) => {
        const m = mergeNotes(a, b);
        expect(Object.keys(m.files).sort()).toEqual([...new Set([...Object.keys(a.files), ...Object.keys(b.files)])].sort());
        expect(rank[m.status]).toBe(Math.max(rank[a.status], rank[b.status]));
        const times = [a.verifiedAt, b.verifiedAt].filter((x): x is string => !!x).sort();
        expect(m.verifiedAt).toBe(times.at(-1));
        if (a.keep === 'permanent' || b.keep === 'permanent') expect(m.keep).toBe('permanent');
      }),
    );
  });

  it('verified beats active for the same save', async () => {
    const base: SaveNote = { schema: 1, files: { 'a.csv': { version: 1, sha256: 'a'.repeat(64), size: 3, savedAt: '2026-05-01T09:00:00.000Z', source: 'cli' } }, status: 'active', kind: 'manual' };
    const verified: SaveNote = { ...base, status: 'verified', verifiedAt: '2026-05-02T00:00:00.000Z', verifiedBy: 'Bob' };
    const merged = JSON.parse(await mergeNoteTexts(serializeNote(base), serializeNote(verified))) as SaveNote;
    expect(merged.status).toBe('verified');
    expect(merged.verifiedBy).toBe('Bob');
  });

  it('an unparseable note loses to a valid one', async () => {
    const good = serializeNote({ schema: 1, files: {}, status: 'active' });
    expect(await mergeNoteTexts('not json', good)).toBe(good);
    expect(await mergeNoteTexts(good, '{"schema":2}')).toBe(good);
  });
});
