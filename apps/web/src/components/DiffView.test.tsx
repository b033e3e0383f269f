import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { DiffView as Model } from '../model/diff-view.js';
import { DiffView } from './DiffView.js';
import { NavList } from './NavList.js';

describe('components render their models', () => {
  it('the diff table has a stable test id and marks changed cells with old and new values', () => {
    const view: Model = {
      kind: 'table',
      identical: false,
      headline: '0 rows added, 0 removed, 1 changed (1 cell)',
      formatChanges: ['line-endings: LF → CRLF'],
      tables: [
        {
          columns: ['id', 'loss'],
          addedColumns: [],
          removedColumns: [],
          rows: [{ kind: 'changed', label: 'id=2', cells: [{ column: 'id', text: '2', state: 'same' }, { column: 'loss', text: '0.39', old: '0.41', state: 'changed' }] }],
          summary: '0 rows added, 0 removed, 1 changed (1 cell)',
          truncated: false,
          notes: [],
        },
      ],
    };
    const html = renderToStaticMarkup(<DiffView view={view} title="m.csv: v1 → v2" />);
    expect(html).toContain('data-testid="diff-table"');
    expect(html).toMatch(/<td class="cell-changed" data-state="changed" title="was: 0.41"><del>0.41<\/del> <ins>0.39<\/ins><\/td>/);
    expect(html).toContain('line-endings: LF → CRLF');
  });

  it('a list has one tab stop: the selected row', () => {
    const html = renderToStaticMarkup(
      <NavList items={['a', 'b', 'c']} selected={1} onSelect={() => {}} label="L" testId="file-list" rowTestId="file-row" keyOf={(x) => x} render={(x) => x} />,
    );
    expect(html.match(/tabindex="0"/g)).toHaveLength(1);
    expect(html).toMatch(/tabindex="0" data-testid="file-row">b</);
    expect(html.match(/data-testid="file-row"/g)).toHaveLength(3);
  });
});
