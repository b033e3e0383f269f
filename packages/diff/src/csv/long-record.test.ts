import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CsvScanner } from './scanner.js';
import { readLongRecord } from './long-record.js';
import { DiffError } from '../errors.js';
import { tempDir } from '../test-util/tmp.js';

let t: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => { t = await tempDir(); });
afterAll(async () => { await t.cleanup(); });

/** Every record as CsvScanner sees it with the whole input buffered. */
function buffered(input: Buffer) {
  const sc = new CsvScanner({ delimiter: ',', quote: '"' });
  const out: { offset: number; length: number; line: number; nextLine: number; nf: number; h1: number[]; h2: number[]; quoted: number[]; cells: string[] }[] = [];
  sc.scan(input, 0, input.length, true, (s) => {
    out.push({
      offset: s.recStart, length: s.recLength, line: s.recLine, nextLine: s.line, nf: s.nf,
      h1: Array.from(s.fieldH1.subarray(0, s.nf)), h2: Array.from(s.fieldH2.subarray(0, s.nf)), quoted: Array.from(s.fieldQuoted.subarray(0, s.nf)), cells: s.cells(),
    });
  });
  return out;
}

describe('readLongRecord', () => {
  it('reads every record exactly as the buffered scanner does (hashes, quoting, lines, lengths, values)', async () => {
    const field = fc.oneof(
      fc.stringMatching(/^[a-z0-9 ]{0,6}$/),
      fc.string({ unit: fc.constantFrom('a', '"', ',', '\n', '\r', 'é', ' '), maxLength: 8 }).map((s) => `"${s.replace(/"/g, '""')}"`),
      // long runs (read with byte searches), line breaks of every kind inside quotes
      fc.stringMatching(/^[a-z0-9 ]{17,40}$/),
      fc.string({ unit: fc.constantFrom('a', 'b', '\n', '\r', '\r\n', '"', ','), minLength: 17, maxLength: 60 }).map((s) => `"${s.replace(/"/g, '""')}"`),
    );
    const record = fc.array(field, { minLength: 1, maxLength: 4 }).map((f) => f.join(','));
    const eol = fc.constantFrom('\n', '\r\n', '\r');
    const doc = fc.tuple(fc.array(fc.tuple(record, eol), { minLength: 1, maxLength: 6 }), fc.boolean())
      .map(([recs, last]) => recs.map(([r, e], i) => r + (i < recs.length - 1 || last ? e : '')).join(''));
    let n = 0;
    await fc.assert(fc.asyncProperty(doc, async (text) => {
      const input = Buffer.from(text, 'utf8');
      let want: ReturnType<typeof buffered>;
      try { want = buffered(input); } catch { return; } // malformed inputs are covered below
      const path = await t.write(`r${n++}.csv`, input);
      const fd = openSync(path, 'r');
      try {
        for (const w of want) {
          if (w.nf === 1 && w.quoted[0] === 0 && w.cells[0] === '') continue; // blank line
          const got = readLongRecord(fd, w.offset, w.line, { delimiter: ',', quote: '"' }, 1 << 20);
          expect({ length: got.length, nextLine: got.nextLine, nf: got.nf, h1: got.h1, h2: got.h2, quoted: got.quoted, cells: got.cells })
            .toEqual({ length: w.length, nextLine: w.nextLine, nf: w.nf, h1: w.h1, h2: w.h2, quoted: w.quoted, cells: w.cells });
          // Without hashes (values only, as fetch reads them): the same record and values.
          const values = readLongRecord(fd, w.offset, w.line, { delimiter: ',', quote: '"' }, 1 << 20, false);
          expect({ length: values.length, nextLine: values.nextLine, cells: values.cells }).toEqual({ length: w.length, nextLine: w.nextLine, cells: w.cells });
        }
      } finally {
        closeSync(fd);
      }
    }), { numRuns: 300 });
  });

  it('counts a CRLF inside quotes once when the chunk boundary falls between CR and LF', async () => {
    const CHUNK = 1 << 20;
    for (let shift = -3; shift <= 3; shift++) {
      // 1,"aaa…\r\n…b\rc\nd",z — the CRLF straddles the first chunk's end for shift 0
      const before = '1,"' + 'a'.repeat(CHUNK - 1 - 3 + shift);
      const text = `${before}\r\n${'b'.repeat(40)}\r${'c'.repeat(30)}\n${'d'.repeat(20)}",z\n2,y,x\n`;
      const input = Buffer.from(text);
      const want = buffered(input);
      const path = await t.write(`crlf${shift + 3}.csv`, input);
      const fd = openSync(path, 'r');
      try {
        for (const hashes of [true, false]) {
          const got = readLongRecord(fd, 0, 1, { delimiter: ',', quote: '"' }, 4096, hashes);
          expect({ length: got.length, nextLine: got.nextLine, nf: got.nf }, `shift ${shift}`).toEqual({ length: want[0]!.length, nextLine: want[0]!.nextLine, nf: 3 });
          expect(got.nextLine).toBe(5);
        }
      } finally {
        closeSync(fd);
      }
    }
  });

  it('clips long fields with their full length and sha256; reports malformed quoting like the scanner', async () => {
    const big = 'x"y'.repeat(100_000);
    const path = await t.write('big.csv', `1,"${big.replace(/"/g, '""')}",z\n2,b,c\n`);
    const fd = openSync(path, 'r');
    try {
      const r = readLongRecord(fd, 0, 1, { delimiter: ',', quote: '"' }, 4096);
      expect(r.cells[0]).toBe('1');
      expect(r.cells[1]).toEqual({ clipped: true, bytes: big.length, sha256: createHash('sha256').update(big).digest('hex'), head: big.slice(0, 256) });
      expect(r.cells[2]).toBe('z');
      expect(r.nextLine).toBe(2);
    } finally {
      closeSync(fd);
    }
    const bad = await t.write('bad.csv', 'a,"never closed\n');
    const fd2 = openSync(bad, 'r');
    try {
      expect(() => readLongRecord(fd2, 0, 1, { delimiter: ',', quote: '"' }, 4096)).toThrowError(DiffError);
    } finally {
      closeSync(fd2);
    }
  });
});

// The memory bound is measured in a child process (the compiled package, as shipped); bench/ has the real targets.
const distIndex = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
describe.skipIf(!existsSync(distIndex))('a 48 MB cell', () => {
  it('diffs with bounded output and memory (peak RSS well under 400 MB), clipped in text and JSON', async () => {
    const script = `
      const fs = require('node:fs');
      const big = 'x'.repeat(48 * 1024 * 1024);
      const dir = ${JSON.stringify(t.dir)};
      fs.writeFileSync(dir + '/huge-a.csv', 'id,text\\n1,' + big + '\\n2,b\\n');
      fs.writeFileSync(dir + '/huge-b.csv', 'id,text\\n1,' + big.slice(0, -1) + 'y\\n2,b\\n');
    `;
    expect(spawnSync(process.execPath, [await t.write('huge-make.cjs', script)]).status).toBe(0);
    const run = `
      const d = await import(${JSON.stringify(distIndex)});
      const dir = ${JSON.stringify(t.dir)};
      const r = await d.diffFiles({ path: dir + '/huge-a.csv' }, { path: dir + '/huge-b.csv' }, { name: 'x.csv' });
      const text = d.renderDiff(r, { color: false }).join('\\n');
      const json = JSON.stringify(r);
      process.stdout.write(JSON.stringify({ rss: process.resourceUsage().maxRSS * 1024, text, json: JSON.parse(json), jsonBytes: json.length }));
    `;
    const runner = await t.write('huge-run.mjs', run);
    const p = spawnSync(process.execPath, [runner], { encoding: 'utf8', maxBuffer: 1 << 24 });
    expect(p.stderr).toBe('');
    const out = JSON.parse(p.stdout);
    const cell = out.json.rows[0].cells[0];
    expect(cell.column).toBe('text');
    expect(cell.old).toMatchObject({ clipped: true, bytes: 48 * 1024 * 1024, head: 'x'.repeat(256) });
    expect(cell.new.sha256).toBe(createHash('sha256').update('x'.repeat(48 * 1024 * 1024 - 1) + 'y').digest('hex'));
    expect(out.jsonBytes).toBeLessThan(10_000);
    expect(out.text.length).toBeLessThan(10_000);
    expect(out.text).toContain('(50,331,648 bytes, sha256 ');
    expect(out.rss).toBeLessThan(400 * 1024 * 1024);
  }, 60_000);
});
