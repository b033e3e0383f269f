import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { diffFiles } from '../diff.js';
import { renderDiff } from '../render.js';
import type { XlsxDiffResult } from '../types.js';
import { tempDir } from '../test-util/tmp.js';
import { rewriteZip, type ZipInput } from '../test-util/zip.js';
import { readSheetRefs, readWorkbook } from './read.js';
import { readZipDirectory } from './zip.js';

let t: Awaited<ReturnType<typeof tempDir>>;
let v1: string;
beforeAll(async () => {
  t = await tempDir();
  // A real workbook from a real writer: parts sheet1..3.xml in sheet order.
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('weather').addRows([['day', 'temp'], [1, 20], [2, 22]]);
  wb.addWorksheet('old').addRows([['x'], [1]]);
  wb.addWorksheet('new').addRows([['k', 'v'], ['a', 1]]);
  v1 = `${t.dir}/v1.xlsx`;
  await wb.xlsx.writeFile(v1);
});
afterAll(async () => { await t.cleanup(); });

const WS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet';

/**
 * What Excel/openpyxl-style edits leave behind: sheet `old` deleted (a gap: parts sheet1 and sheet3 remain),
 * `new` moved before `weather`, `weather`'s cells edited, relationship targets written absolute
 * (`/xl/worksheets/sheet3.xml`), and the worksheets stored before workbook.xml in the zip.
 */
async function edited(dest: string, opts: { renumber?: boolean } = {}): Promise<string> {
  return rewriteZip(v1, dest, (e) => {
    const partOf = (n: number) => (opts.renumber ? { 1: 'sheet7.xml', 3: 'sheet2.xml' }[n] : `sheet${n}.xml`);
    const weather = (e.get('xl/worksheets/sheet1.xml') as string).replace('<v>22</v>', '<v>23</v>');
    const fresh = e.get('xl/worksheets/sheet3.xml') as string;
    const workbook = (e.get('xl/workbook.xml') as string).replace(/<sheets>.*<\/sheets>/,
      '<sheets><sheet name="new" sheetId="3" r:id="rId9"/><sheet name="weather" sheetId="1" r:id="rId4"/></sheets>');
    const target = (n: number) => (opts.renumber ? `worksheets/${partOf(n)}` : `/xl/worksheets/${partOf(n)}`);
    const rels = (e.get('xl/_rels/workbook.xml.rels') as string)
      .replace(/<Relationship Id="rId[456]"[^>]*\/>/g, '')
      .replace('</Relationships>', `<Relationship Id="rId4" Type="${WS}" Target="${target(1)}"/><Relationship Id="rId9" Type="${WS}" Target="${target(3)}"/></Relationships>`);
    const out: ZipInput[] = [];
    for (const [name, data] of e) {
      if (name.startsWith('xl/worksheets/') || name === 'xl/workbook.xml' || name === 'xl/_rels/workbook.xml.rels') continue;
      out.push({ name, data });
    }
    const types = (out[0]!.data as string).replace('/xl/worksheets/sheet2.xml', '/xl/worksheets/unused.xml');
    out[0] = { name: out[0]!.name, data: opts.renumber ? types.replace('/xl/worksheets/sheet1.xml', `/xl/worksheets/${partOf(1)}`).replace('/xl/worksheets/sheet3.xml', `/xl/worksheets/${partOf(3)}`) : types };
    return [
      { name: `xl/worksheets/${partOf(3)}`, data: fresh },
      { name: `xl/worksheets/${partOf(1)}`, data: weather },
      ...out,
      { name: 'xl/_rels/workbook.xml.rels', data: rels },
      { name: 'xl/workbook.xml', data: workbook },
    ];
  });
}

describe('XLSX sheet names', () => {
  it('come from workbook.xml through its rels, in workbook order, whatever the part numbers', async () => {
    const p = await edited(`${t.dir}/v2.xlsx`);
    expect((await readZipDirectory(p)).map((e) => e.name).slice(0, 2)).toEqual(['xl/worksheets/sheet3.xml', 'xl/worksheets/sheet1.xml']);
    expect(await readSheetRefs(p)).toEqual([
      { name: 'new', part: 'xl/worksheets/sheet3.xml', kind: 'worksheet' },
      { name: 'weather', part: 'xl/worksheets/sheet1.xml', kind: 'worksheet' },
    ]);
    const sheets = await readWorkbook(p);
    expect(sheets.map((s) => s.name)).toEqual(['new', 'weather']);
    expect(sheets[0]!.rows).toEqual([['k', 'v'], ['a', '1']]);
    expect(sheets[1]!.rows).toEqual([['day', 'temp'], ['1', '20'], ['2', '23']]);
  });

  it('parts numbered unlike the sheets (sheet7.xml is the first sheet) map by relationship, not by number', async () => {
    const p = await edited(`${t.dir}/v3.xlsx`, { renumber: true });
    const sheets = await readWorkbook(p);
    expect(sheets.map((s) => [s.name, s.rows[0]])).toEqual([['new', ['k', 'v']], ['weather', ['day', 'temp']]]);
  });

  it('worksheet parts under any name (not sheetN.xml) are read, by relationship', async () => {
    const p = await rewriteZip(v1, `${t.dir}/v6.xlsx`, (e) => [...e].map(([name, data]) => {
      if (name === 'xl/worksheets/sheet1.xml') return { name: 'xl/data/weather part.xml', data };
      if (name === 'xl/_rels/workbook.xml.rels') return { name, data: (data as string).replace('Target="worksheets/sheet1.xml"', 'Target="data/weather%20part.xml"') };
      return { name, data };
    }));
    const sheets = await readWorkbook(p);
    expect(sheets.map((s) => [s.name, s.rows[0]])).toEqual([['weather', ['day', 'temp']], ['old', ['x']], ['new', ['k', 'v']]]);
  });

  it('reads a workbook the same way every time (exceljs never parks sheets in temp files)', async () => {
    const first = JSON.stringify(await readWorkbook(v1));
    expect(first).toContain('"weather"');
    expect(first).not.toContain('[object Object]');
    for (let i = 0; i < 40; i++) expect(JSON.stringify(await readWorkbook(v1))).toBe(first);
  });

  it('the diff names the removed sheet and the changed one by their real names', async () => {
    const p = await edited(`${t.dir}/v4.xlsx`);
    const r = (await diffFiles({ path: v1, label: 'w.xlsx@1' }, { path: p, label: 'w.xlsx@2' }, { name: 'w.xlsx' })) as XlsxDiffResult;
    expect(r.sheetsRemoved).toEqual(['old']);
    expect(r.sheetsAdded).toEqual([]);
    expect(r.sheets.map((s) => s.name)).toEqual(['weather', 'new']);
    const weather = r.sheets.find((s) => s.name === 'weather')!;
    expect(weather.rows).toEqual([expect.objectContaining({ kind: 'changed', cells: [{ column: 'temp', old: '22', new: '23' }] })]);
    expect(r.formatChanges).toEqual([{ aspect: 'sheet-order', a: 'weather, new', b: 'new, weather' }]);
    const lines = renderDiff(r, { color: false });
    expect(lines).toContain('- sheet old');
    expect(lines).toContain('sheet weather');
    expect(lines.join('\n')).not.toMatch(/Sheet\d/);
  });

  it('a --key no shared sheet has is an error, not silently ignored', async () => {
    const err = await diffFiles({ path: v1 }, { path: v1 }, { name: 'w.xlsx', key: ['nope'] }).catch((e) => e);
    expect(err.code).toBe('E_CSV_KEY_NOT_FOUND');
    expect(err.details).toMatchObject({ key: 'nope', sheets: ['weather', 'old', 'new'] });
  });

  it('same cells, different workbook parts: not identical, the parts are named', async () => {
    const p = await rewriteZip(v1, `${t.dir}/v5.xlsx`, (e) => [...e].map(([name, data]) => ({
      name, data: name === 'docProps/core.xml' ? (data as string).replace(/<dc:creator>[^<]*<\/dc:creator>|<cp:lastModifiedBy>/, (m) => `${m}<!-- edited -->`) : data,
    })));
    const r = (await diffFiles({ path: v1 }, { path: p }, { name: 'w.xlsx' })) as XlsxDiffResult;
    expect(r.summary).toMatchObject({ sheetsChanged: 0, rowsChanged: 0 });
    expect(r.identical).toBe(false);
    expect(r.formatChanges).toEqual([expect.objectContaining({ aspect: 'parts', parts: ['docProps/core.xml'] })]);
    expect(renderDiff(r, { color: false })).toContain('~ workbook parts changed (no cell value did): docProps/core.xml');
    expect((await diffFiles({ path: v1 }, { path: v1 }, { name: 'w.xlsx' })).identical).toBe(true);
  });
});
