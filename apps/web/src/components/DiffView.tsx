import { useState } from 'react';
import type { DiffView as Model, TableModel } from '../model/diff-view.js';

/** Rows drawn at first; the rest on request, so a large diff never blocks the page while it renders. */
export const FIRST_ROWS = 100;

function Table({ t }: { t: TableModel }) {
  const [shown, setShown] = useState(FIRST_ROWS);
  return (
    <section className="diff-table-wrap">
      {t.title && (
        <>
          <h4>{t.title}</h4>
          <p className="summary">{t.summary}</p>
        </>
      )}
      {t.addedColumns.length > 0 && <p>Columns added: {t.addedColumns.join(', ')}</p>}
      {t.removedColumns.length > 0 && <p>Columns removed: {t.removedColumns.join(', ')}</p>}
      <div className="scroll-x" tabIndex={0} role="region" aria-label={`${t.title ?? 'Table'} changes`}>
        <table className="diff-table" data-testid="diff-table">
          <thead>
            <tr>
              <th scope="col">row</th>
              {t.columns.map((c) => (
                <th scope="col" key={c} className={t.addedColumns.includes(c) ? 'col-added' : t.removedColumns.includes(c) ? 'col-removed' : undefined}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {t.rows.slice(0, shown).map((r, i) => (
              <tr key={i} className={`row-${r.kind}`} data-kind={r.kind}>
                <th scope="row">
                  <span className="kind">{r.kind}</span> {r.label}
                </th>
                {r.cells.map((c) => (
                  <td key={c.column} className={`cell-${c.state}`} data-state={c.state} title={c.old !== undefined ? `was: ${c.old}` : undefined}>
                    {c.state === 'changed' ? (
                      <>
                        <del>{c.old}</del> <ins>{c.text}</ins>
                      </>
                    ) : (
                      c.text
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {t.rows.length > shown && (
        <button type="button" onClick={() => setShown(t.rows.length)} data-testid="diff-more">
          Show all {t.rows.length} changed rows ({t.rows.length - shown} more)
        </button>
      )}
      {t.truncated && <p className="note">Only the first changes are listed; the counts above are exact.</p>}
      {t.notes.map((n) => (
        <p className="note" key={n}>
          {n}
        </p>
      ))}
    </section>
  );
}

export function DiffView({ view, title }: { view: Model; title: string }) {
  return (
    <section className="diff" aria-label={title} data-testid="diff">
      <h3>{title}</h3>
      <p className="headline" data-testid="diff-headline">
        {view.headline}
      </p>
      {view.formatChanges.length > 0 && (
        <ul className="format-changes">
          {view.formatChanges.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      )}
      {view.kind === 'table' && view.tables.map((t, i) => <Table key={i} t={t} />)}
      {view.kind === 'json' && (
        <div className="scroll-x">
          <table className="json-diff" data-testid="json-diff">
            <thead>
              <tr>
                <th scope="col">change</th>
                <th scope="col">path</th>
                <th scope="col">old</th>
                <th scope="col">new</th>
              </tr>
            </thead>
            <tbody>
              {view.rows.map((r, i) => (
                <tr key={i} className={`op-${r.op}`}>
                  <td>{r.op}</td>
                  <td>
                    <code>{r.path}</code>
                  </td>
                  <td className={r.old !== undefined ? 'cell-removed' : undefined}>{r.old}</td>
                  <td className={r.new !== undefined ? 'cell-added' : undefined}>{r.new}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {view.truncated && <p className="note">Only the first changes are listed.</p>}
        </div>
      )}
      {view.kind === 'text' && (
        <pre className="text-diff" data-testid="text-diff" tabIndex={0}>
          {view.lines.map((l, i) => (
            <span key={i} className={l.op === '+' ? 'line-added' : l.op === '-' ? 'line-removed' : undefined}>
              {l.op} {l.text}
              {'\n'}
            </span>
          ))}
        </pre>
      )}
    </section>
  );
}
