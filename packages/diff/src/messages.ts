/** Every user-facing string of the diff renderer, in one place. */
import { describeKey, type Note } from './table/engine.js';
import type { FormatChange } from './layout.js';

const FORMAT_ASPECT: Record<FormatChange['aspect'], string> = {
  format: 'format', encoding: 'encoding', bom: 'byte order mark', 'line-endings': 'line endings', 'trailing-newline': 'final newline',
  delimiter: 'delimiter', quote: 'quote character', quoting: 'quoting', indentation: 'indentation', whitespace: 'whitespace',
  'key-order': 'key order', notation: 'notation', 'sheet-order': 'sheet order', parts: 'workbook parts', 'sqlite-header': 'header', bytes: 'bytes',
};
const num = (s: string) => s.replace(/^\d+/, (d) => Number(d).toLocaleString('en-US'));

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

export const messages = {
  header: (format: string, a: string, b: string) => `diff --savepoint ${format} ${a} ${b}`,
  sideA: (label: string) => `--- ${label}`,
  sideB: (label: string) => `+++ ${label}`,
  identical: 'no changes',
  formatChange: (c: FormatChange): string => {
    switch (c.aspect) {
      case 'parts': return `~ workbook parts changed (no cell value did): ${(c.parts ?? []).join(', ')}`;
      case 'bytes': return `~ bytes: ${num(c.a)} → ${num(c.b)}, first difference at byte ${(c.offset ?? 0).toLocaleString('en-US')} (the data is the same; it is written differently)`;
      case 'whitespace': return '~ whitespace: changed between values (same JSON tokens)';
      case 'notation': return '~ notation: the same values written differently (number form, escapes or repeated keys)';
      case 'key-order': return `~ key order at ${c.path ?? '$'}: ${c.a} → ${c.b}`;
      case 'sqlite-header': return `~ ${c.field ?? 'header'}: ${c.a} → ${c.b}`;
      default: return `~ ${FORMAT_ASPECT[c.aspect]}: ${c.a} → ${c.b}`;
    }
  },
  formatSummary: (cs: FormatChange[]) => `written differently: ${[...new Set(cs.map((c) => (c.aspect === 'sqlite-header' ? c.field ?? 'header' : FORMAT_ASPECT[c.aspect])))].join(', ')}`,
  clipped: (head: string, bytes: number, sha256: string) => `${JSON.stringify(head)}… (${bytes.toLocaleString('en-US')} bytes, sha256 ${sha256.slice(0, 16)}…)`,
  longPath: (start: string, segments: number, end: string) => `${start}…(${segments.toLocaleString('en-US')} levels)…${end}`,
  matchKeyed: (key: string[], source: string) => `rows matched by ${source === 'detected' ? 'detected key' : source === 'primary-key' ? 'primary key' : source === 'rowid' ? 'rowid' : 'key'} ${key.join(', ')}`,
  matchPositional: 'rows matched by position (no unique key column)',
  columnAdded: (c: string) => `+ column ${c}`,
  columnRemoved: (c: string) => `- column ${c}`,
  columnsReordered: (cols: string[]) => `~ columns reordered: ${cols.join(', ')}`,
  rowRef: (names: string[], key: string[] | undefined, row: number) => (key ? key.map((k, i) => `${names[i] ?? 'key'}=${k}`).join(', ') : `row ${row}`),
  rowAdded: (ref: string, values: string) => `+ ${ref}: ${values}`,
  rowRemoved: (ref: string, values: string) => `- ${ref}: ${values}`,
  rowChanged: (ref: string) => `~ ${ref}`,
  rowMoved: (from: number, to: number, values: string) => `~ moved row ${from} → ${to}: ${values}`,
  cellChange: (column: string, old: string, neu: string) => `    ${column}: ${old} → ${neu}`,
  absent: '∅',
  nullValue: 'NULL',
  more: (n: number) => `… ${plural(n, 'more change')} not shown (raise --limit to see them)`,
  tableSummary: (s: { added: number; removed: number; changed: number; moved: number; cellsChanged: number; columnsAdded: number; columnsRemoved: number }) => {
    const parts = [`${plural(s.added, 'row')} added`, `${plural(s.removed, 'row')} removed`, `${plural(s.changed, 'row')} changed (${plural(s.cellsChanged, 'cell')})`];
    if (s.moved) parts.push(`${plural(s.moved, 'row')} moved`);
    if (s.columnsAdded) parts.push(`${plural(s.columnsAdded, 'column')} added`);
    if (s.columnsRemoved) parts.push(`${plural(s.columnsRemoved, 'column')} removed`);
    return parts.join(', ');
  },
  sheet: (name: string) => `sheet ${name}`,
  sheetAdded: (name: string) => `+ sheet ${name}`,
  sheetRemoved: (name: string) => `- sheet ${name}`,
  table: (name: string) => `table ${name}`,
  tableAdded: (name: string) => `+ table ${name}`,
  tableRemoved: (name: string) => `- table ${name}`,
  schemaAdded: (c: string, type: string) => `+ column ${c} ${type}`.trimEnd(),
  schemaRemoved: (c: string, type: string) => `- column ${c} ${type}`.trimEnd(),
  schemaChanged: (c: string, from: string, to: string) => `~ column ${c}: ${from} → ${to}`,
  xlsxSummary: (s: { sheetsAdded: number; sheetsRemoved: number; sheetsChanged: number; rowsAdded: number; rowsRemoved: number; rowsChanged: number; cellsChanged: number }) =>
    `${plural(s.sheetsAdded, 'sheet')} added, ${plural(s.sheetsRemoved, 'sheet')} removed, ${plural(s.sheetsChanged, 'sheet')} changed; ${plural(s.rowsAdded, 'row')} added, ${plural(s.rowsRemoved, 'row')} removed, ${plural(s.rowsChanged, 'row')} changed (${plural(s.cellsChanged, 'cell')})`,
  sqliteSummary: (s: { tablesAdded: number; tablesRemoved: number; tablesChanged: number; rowsAdded: number; rowsRemoved: number; rowsChanged: number; cellsChanged: number }) =>
    `${plural(s.tablesAdded, 'table')} added, ${plural(s.tablesRemoved, 'table')} removed, ${plural(s.tablesChanged, 'table')} changed; ${plural(s.rowsAdded, 'row')} added, ${plural(s.rowsRemoved, 'row')} removed, ${plural(s.rowsChanged, 'row')} changed (${plural(s.cellsChanged, 'cell')})`,
  jsonAdd: (path: string, v: string) => `+ ${path}: ${v}`,
  jsonRemove: (path: string, v: string) => `- ${path}: ${v}`,
  jsonChange: (path: string, o: string, n: string) => `~ ${path}: ${o} → ${n}`,
  jsonReorder: (path: string) => `~ ${path}: elements reordered`,
  jsonSummary: (s: { added: number; removed: number; changed: number }) => `${plural(s.added, 'path')} added, ${plural(s.removed, 'path')} removed, ${plural(s.changed, 'path')} changed`,
  hunk: (as: number, al: number, bs: number, bl: number) => `@@ -${as},${al} +${bs},${bl} @@`,
  textSummary: (s: { added: number; removed: number }) => `${plural(s.added, 'line')} added, ${plural(s.removed, 'line')} removed`,
  textApprox: 'the files differ too much for a minimal diff; changed regions are shown whole',
  binarySize: (a: number, b: number) => `size: ${a.toLocaleString('en-US')} → ${b.toLocaleString('en-US')} bytes`,
  binarySha: (a: string, b: string) => `sha256: ${a.slice(0, 16)}… → ${b.slice(0, 16)}…`,
  binaryRange: (off: number, len: number) => `~ bytes ${off.toLocaleString('en-US')}–${(off + len - 1).toLocaleString('en-US')} (${plural(len, 'byte')})`,
  binarySummary: (s: { bytesDiffering: number; ranges: number }) => `${plural(s.bytesDiffering, 'byte')} differ in ${plural(s.ranges, 'range')}`,
  binaryFallback: (from: string) => `(${from} too large for a line diff; showing a byte summary)`,
  note: (n: Note): string => {
    switch (n.code) {
      case 'row-order-changed': return 'note: rows appear in a different order (ignored when matching by key)';
      case 'duplicate-key': return `note: key ${n.key.join(', ')} is not unique (${describeKey(n.key, n.value)} repeats in ${n.side === 'a' ? 'the old' : 'the new'} version, line ${n.lines.join(', ')}); rows matched by position instead`;
      case 'approximate': return 'note: the files differ too much for a minimal row alignment; changed blocks are shown whole';
    }
  },
};
