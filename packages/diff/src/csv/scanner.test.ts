import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse as csvParse } from 'csv-parse/sync';
import { CsvScanner, formatCsv, parseCsv } from './scanner.js';
import { sniffDialect } from './dialect.js';
import { DiffError } from '../errors.js';

describe('parseCsv', () => {
  const cases: { name: string; input: string; want: string[][] }[] = [
    { name: 'simple', input: 'a,b\n1,2\n', want: [['a', 'b'], ['1', '2']] },
    { name: 'no trailing newline', input: 'a,b\n1,2', want: [['a', 'b'], ['1', '2']] },
    { name: 'CRLF', input: 'a,b\r\n1,2\r\n', want: [['a', 'b'], ['1', '2']] },
    { name: 'bare CR', input: 'a,b\r1,2\r', want: [['a', 'b'], ['1', '2']] },
    { name: 'BOM', input: '\uFEFFa,b\n1,2\n', want: [['a', 'b'], ['1', '2']] },
    { name: 'quoted newline', input: 'a,b\n"x\ny",2\n', want: [['a', 'b'], ['x\ny', '2']] },
    { name: 'quoted CRLF newline', input: 'a,b\r\n"x\r\ny",2\r\n', want: [['a', 'b'], ['x\r\ny', '2']] },
    { name: 'doubled quotes', input: 'a\n"say ""hi"""\n', want: [['a'], ['say "hi"']] },
    { name: 'quoted delimiter', input: 'a,b\n"1,5",2\n', want: [['a', 'b'], ['1,5', '2']] },
    { name: 'empty fields', input: 'a,b,c\n,,\n', want: [['a', 'b', 'c'], ['', '', '']] },
    { name: 'trailing delimiter at EOF', input: 'a,b\n1,', want: [['a', 'b'], ['1', '']] },
    { name: 'blank lines skipped', input: 'a\n\n1\n\n', want: [['a'], ['1']] },
    { name: 'quoted empty is a record', input: 'a\n""\n', want: [['a'], ['']] },
    { name: 'literal quote inside unquoted field', input: 'a\n5"10\n', want: [['a'], ['5"10']] },
    { name: 'unicode', input: 'név,ár\nÁrvíztűrő,€5\n', want: [['név', 'ár'], ['Árvíztűrő', '€5']] },
    { name: 'empty input', input: '', want: [] },
  ];
  for (const c of cases) {
    it(c.name, () => expect(parseCsv(c.input)).toEqual(c.want));
  }

  it('names the line of an unclosed quote', () => {
    try {
      parseCsv('a,b\n1,2\n3,"oops\n4,5\n');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DiffError);
      expect((e as DiffError).code).toBe('E_CSV_MALFORMED');
      expect((e as DiffError).details.line).toBe(3);
      expect((e as DiffError).message).toContain('line 3');
    }
  });

  it('names the line of text after a closing quote', () => {
    expect(() => parseCsv('a,b\n1,2\n"x"y,3\n')).toThrow(/line 3/);
  });

  it('resumes records split across chunk boundaries at every position', () => {
    const text = 'id,note\r\n1,"multi\nline ""q"""\r\n2,plain\r\n3,"a,b"\r\n';
    const buf = Buffer.from(text);
    const want = parseCsv(text);
    for (let cut = 1; cut < buf.length; cut++) {
      const sc = new CsvScanner({ delimiter: ',', quote: '"' });
      const got: string[][] = [];
      const whole = Buffer.alloc(buf.length);
      buf.copy(whole, 0, 0, cut);
      const consumed = sc.scan(whole, 0, cut, false, (s) => got.push(s.cells()));
      buf.copy(whole, cut, cut);
      sc.scan(whole, consumed, buf.length, true, (s) => got.push(s.cells()));
      expect(got, `cut at ${cut}`).toEqual(want);
    }
  });
  it('never reads past the end it is given (a closing quote as the last byte, stale bytes after it)', () => {
    // As a chunked reader leaves it: the last record moved to the front, older bytes still behind it.
    const buf = Buffer.from('"1""old"');
    const got: string[][] = [];
    new CsvScanner({ delimiter: ',', quote: '"' }).scan(buf, 0, 3, true, (s) => got.push(s.cells()));
    expect(got).toEqual([['1']]);
  });
});

describe('CSV round trip and csv-parse as an oracle', () => {
  const field = fc.string({ unit: fc.constantFrom('a', 'b', ' ', ',', '"', '\n', '\r\n', 'é', '1', '.', '\t', ';') , maxLength: 8 });
  it('formatCsv then parseCsv is the identity, and csv-parse agrees', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }).chain((w) => fc.array(fc.array(field, { minLength: w, maxLength: w }), { minLength: 1, maxLength: 12 })), (rows) => {
        const text = formatCsv(rows);
        expect(parseCsv(text)).toEqual(rows);
        const oracle = csvParse(text, { relax_column_count: true, skip_empty_lines: false }) as string[][];
        expect(oracle).toEqual(rows);
      }),
      { numRuns: 300 },
    );
  });
});

describe('sniffDialect', () => {
  const cases = [
    { name: 'comma', head: 'a,b,c\n1,2,3\n', pref: ',' as const, want: ',' },
    { name: 'tab', head: 'a\tb\tc\n1\t2\t3\n', pref: ',' as const, want: '\t' },
    { name: 'semicolon with decimal commas', head: 'a;b\n1,5;2,5\n3,1;4\n', pref: ',' as const, want: ';' },
    { name: 'pipe', head: 'a|b\n1|2\n', pref: ',' as const, want: '|' },
    { name: 'quoted commas in a TSV', head: 'a\tb\n"x,y"\t2\n', pref: '\t' as const, want: '\t' },
    { name: 'single column keeps preference', head: 'a\n1\n', pref: '\t' as const, want: '\t' },
  ];
  for (const c of cases) {
    it(c.name, () => expect(sniffDialect(Buffer.from(c.head), c.pref).delimiter).toBe(c.want));
  }
});
