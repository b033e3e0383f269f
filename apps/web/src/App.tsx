import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type FormEvent } from 'react';
import { DiffView } from './components/DiffView.js';
import { NavList } from './components/NavList.js';
import { diffView, type DiffView as DiffModel } from './model/diff-view.js';
import { checkSavePath, defaultSavePath, fromDirectoryInput, readDrop } from './model/drop.js';
import { downloadName, searchForVault, vaultUrlFromSearch } from './model/format.js';
import { defaultDiffPair, fileRows, versionDetails, versionRows } from './model/history.js';
import type { VaultClient } from './vault/client.js';
import type { DroppedFile, FileEntry, Progress, VaultSource, VerifyReport, VersionRecord } from './vault/types.js';

type Status = { tone: 'info' | 'error' | 'ok'; text: string };

function progressText(p: Progress): string {
  return p.total ? `${p.phase} ${p.loaded ?? 0}/${p.total}` : `${p.phase}${p.loaded ? ` ${p.loaded}` : ''}`;
}

const AUTHOR_KEY = 'savepoint-web:author';

function readAuthor(): { name: string; email: string } {
  try {
    const v = JSON.parse(localStorage.getItem(AUTHOR_KEY) ?? 'null') as { name?: unknown; email?: unknown } | null;
    return { name: typeof v?.name === 'string' ? v.name : '', email: typeof v?.email === 'string' ? v.email : '' };
  } catch {
    return { name: '', email: '' };
  }
}

function errorText(e: unknown): string {
  const o = e as { code?: string; message?: string };
  return o && o.message ? `${o.message}${o.code ? ` (${o.code})` : ''}` : String(e);
}

export function App({ client, search }: { client: VaultClient; search: string }) {
  const [url, setUrl] = useState(() => vaultUrlFromSearch(search) ?? '');
  const [source, setSource] = useState<VaultSource | null>(null);
  const [files, setFiles] = useState<FileEntry[]>([]);
  const [fileIdx, setFileIdx] = useState(-1);
  const [versions, setVersions] = useState<VersionRecord[]>([]);
  const [versionIdx, setVersionIdx] = useState(-1);
  const [report, setReport] = useState<VerifyReport | null>(null);
  const [unpushed, setUnpushed] = useState<Set<string>>(new Set());
  const [diff, setDiff] = useState<{ title: string; view: DiffModel } | null>(null);
  const [diffFrom, setDiffFrom] = useState<number | null>(null);
  const [status, setStatus] = useState<Status | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [pending, setPending] = useState<{ file: File; path: string; description: string; experiment: string } | null>(null);
  const [dragging, setDragging] = useState(false);
  const [author, setAuthor] = useState(() => readAuthor());
  const diffSeq = useRef(0);

  const run = useCallback(async <T,>(what: string, f: () => Promise<T>): Promise<T | undefined> => {
    setBusy(what);
    setStatus({ tone: 'info', text: `${what}…` });
    try {
      const r = await f();
      setStatus(null);
      return r;
    } catch (e) {
      setStatus({ tone: 'error', text: `${what} failed: ${errorText(e)}` });
      return undefined;
    } finally {
      setBusy(null);
    }
  }, []);

  const onProgress = (what: string) => (p: Progress) => setStatus({ tone: 'info', text: `${what}: ${progressText(p)}` });

  const loadFiles = useCallback(async (keep?: string) => {
    const fs = await client.files();
    setFiles(fs);
    const at = keep ? fs.findIndex((f) => f.path === keep) : -1;
    setFileIdx(at >= 0 ? at : fs.length ? 0 : -1);
    return fs;
  }, [client]);

  const opened = async (src: VaultSource) => {
    setSource(src);
    setReport(null);
    setUnpushed(new Set());
    setDiff(null);
    await loadFiles();
  };

  const openUrl = async (u: string) => {
    const target = u.trim();
    if (!/^https?:\/\//i.test(target)) {
      setStatus({ tone: 'error', text: 'Give the vault as an http:// or https:// URL of its git repository.' });
      return;
    }
    history.replaceState(null, '', searchForVault(target));
    const src = await run(`Opening ${target}`, () => client.openUrl(target, onProgress('Cloning')));
    if (src && (await run('Reading history', () => opened(src).then(() => true)))) setStatus({ tone: 'ok', text: `Opened ${src.label}.` });
  };

  const openFolder = async (name: string, dropped: DroppedFile[]) => {
    const src = await run(`Opening folder ${name}`, () => client.openFolder(name, dropped, onProgress('Copying')));
    if (src && (await run('Reading history', () => opened(src).then(() => true)))) setStatus({ tone: 'ok', text: `Opened folder ${src.label}.` });
  };

  // `?vault=<url>` opens at load
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const u = vaultUrlFromSearch(search);
    if (u) void openUrl(u);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // saves made here live only in this page's storage until pushed (a reload clones afresh): ask before leaving
  useEffect(() => {
    if (unpushed.size === 0) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [unpushed]);

  const file = fileIdx >= 0 ? files[fileIdx] : undefined;
  useEffect(() => {
    setVersions([]);
    setVersionIdx(-1);
    setDiff(null);
    setDiffFrom(null);
    if (!file) return;
    let live = true;
    client.versions(file.path).then(
      (vs) => {
        if (!live) return;
        setVersions(vs);
        setVersionIdx(vs.length ? 0 : -1);
      },
      (e: unknown) => live && setStatus({ tone: 'error', text: `Reading ${file.path} failed: ${errorText(e)}` }),
    );
    return () => {
      live = false;
    };
  }, [client, file?.path, file?.latestVersion]);

  const fRows = useMemo(() => fileRows(files, report, unpushed), [files, report, unpushed]);
  const vRows = useMemo(() => versionRows(versions, report, unpushed), [versions, report, unpushed]);
  const vRow = versionIdx >= 0 ? vRows[versionIdx] : undefined;
  const record = vRow && file ? versions.find((v) => v.version === vRow.version) : undefined;
  const numbers = useMemo(() => versions.map((v) => v.version), [versions]);

  useEffect(() => {
    if (!vRow) return;
    setDiffFrom(defaultDiffPair(numbers, vRow.version)?.from ?? null);
  }, [vRow?.version, numbers]);

  const showDiff = async () => {
    if (!file || !vRow || diffFrom === null) return;
    const seq = ++diffSeq.current;
    const title = `${file.path}: v${diffFrom} → v${vRow.version}`;
    const d = await run(`Comparing v${diffFrom} with v${vRow.version}`, () => client.diff(file.path, diffFrom, vRow.version));
    if (d && seq === diffSeq.current) setDiff({ title, view: diffView(d) });
  };

  const download = async () => {
    if (!file || !vRow) return;
    const bytes = await run(`Reading ${file.path}@${vRow.version}`, () => client.read(file.path, vRow.version));
    if (!bytes) return;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    a.download = downloadName(file.path, vRow.version);
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    setStatus({ tone: 'ok', text: `Downloaded ${file.path}@${vRow.version} (sha256 checked).` });
  };

  const verify = async () => {
    const r = await run('Verifying every version', () => client.verify(onProgress('Verifying')));
    if (!r) return;
    setReport(r);
    setStatus(r.ok ? { tone: 'ok', text: `All ${r.verified.length} versions match their checksums.` } : { tone: 'error', text: `${r.problems.length} version(s) failed: ${r.problems.map((p) => `${p.path}@${p.version}`).join(', ')}` });
  };

  const pick = (f: File) => setPending({ file: f, path: defaultSavePath(f.name, files.map((x) => x.path), file?.path), description: '', experiment: '' });

  const save = async (ev: FormEvent) => {
    ev.preventDefault();
    if (!pending) return;
    const problem = checkSavePath(pending.path);
    if (problem) return setStatus({ tone: 'error', text: problem });
    const path = pending.path.trim();
    try {
      localStorage.setItem(AUTHOR_KEY, JSON.stringify(author));
    } catch {
      // storage may be off (private mode): the name is then asked again next time
    }
    const who = author.name.trim() && author.email.trim() ? { author } : {};
    const r = await run(`Saving ${path}`, () => client.save(path, pending.file, { ...(pending.description ? { description: pending.description } : {}), ...(pending.experiment ? { experiment: pending.experiment } : {}), ...who }));
    if (!r) return;
    setPending(null);
    if (r.unchanged) return setStatus({ tone: 'info', text: `${path} is unchanged since v${r.version}; nothing saved.` });
    setUnpushed((s) => new Set(s).add(`${path}@${r.version}`));
    await loadFiles(path);
    setStatus({ tone: 'ok', text: `Saved ${path} as v${r.version}. Push to send it to the server.` });
  };

  const push = async () => {
    const r = await run('Pushing', () => client.push(onProgress('Pushing')));
    if (!r) return;
    setUnpushed(new Set());
    setStatus({ tone: 'ok', text: r.pushed.length ? `Pushed ${r.pushed.join(', ')}.` : 'Nothing to push: the server is up to date.' });
  };

  const onDrop = async (ev: DragEvent) => {
    ev.preventDefault();
    setDragging(false);
    const d = await readDrop(ev.dataTransfer);
    if (d.kind === 'folder') await openFolder(d.name, d.files);
    else if (d.kind === 'files' && d.files[0]) {
      if (!source) return setStatus({ tone: 'error', text: 'Open a vault first (by URL or by dropping its folder), then drop a file to save it.' });
      pick(d.files[0]);
    }
  };

  return (
    <div
      className={dragging ? 'app dragging' : 'app'}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDragging(false);
      }}
      onDrop={(e) => void onDrop(e)}
      data-testid="drop-zone"
    >
      <header>
        <h1>Savepoint</h1>
        <form
          className="open"
          onSubmit={(e) => {
            e.preventDefault();
            void openUrl(url);
          }}
        >
          <label htmlFor="vault-url">Vault URL</label>
          <input id="vault-url" data-testid="vault-url" type="url" placeholder="https://host/lab-vault.git" value={url} onChange={(e) => setUrl(e.target.value)} />
          <button type="submit" disabled={!!busy} data-testid="open">
            Open
          </button>
          <label className="button-like">
            Open folder…
            <input
              className="visually-hidden"
              type="file"
              data-testid="folder-input"
              {...({ webkitdirectory: '' } as Record<string, string>)}
              onChange={(e) => {
                if (e.target.files?.length) {
                  const { name, files: f } = fromDirectoryInput(e.target.files);
                  void openFolder(name, f);
                }
                e.target.value = '';
              }}
            />
          </label>
        </form>
        <p className="hint">Or drop a vault folder anywhere on the page. Files are read and checked in your browser.</p>
      </header>

      <div role="status" aria-live="polite" className={`status ${status?.tone ?? ''}`} data-testid="status" data-busy={busy ? 'true' : 'false'}>
        {status?.text ?? (source ? `${source.label}` : 'No vault open.')}
      </div>

      {source && (
        <main>
          <section className="panel files" aria-labelledby="files-h">
            <div className="panel-head">
              <h2 id="files-h">Files</h2>
              <button type="button" onClick={() => void verify()} disabled={!!busy} data-testid="verify">
                Verify all
              </button>
            </div>
            {fRows.length === 0 ? (
              <p>No saved files yet.</p>
            ) : (
              <NavList
                items={fRows}
                selected={fileIdx}
                onSelect={setFileIdx}
                label="Files"
                testId="file-list"
                rowTestId="file-row"
                keyOf={(f) => f.path}
                rowAttrs={(f) => ({ 'data-path': f.path, 'data-status': f.status })}
                render={(f) => (
                  <>
                    <span className="path">{f.path}</span>
                    <span className={`badge status-${f.status}`} title={f.statusText}>
                      {f.status}
                    </span>
                    <span className="meta">
                      {f.latest} · {f.versions} versions · {f.size} · {f.savedAt}
                      {f.tags.length > 0 && ` · ${f.tags.join(', ')}`}
                    </span>
                  </>
                )}
              />
            )}
            <form className="save" onSubmit={(e) => void save(e)} aria-labelledby="save-h">
              <h3 id="save-h">Save a new version</h3>
              <label className="button-like">
                Choose file…
                <input
                  className="visually-hidden"
                  type="file"
                  data-testid="save-input"
                  onChange={(e) => {
                    const f = e.target.files?.[0];
                    if (f) pick(f);
                    e.target.value = '';
                  }}
                />
              </label>
              <span className="hint">or drop a file on the page</span>
              {pending && (
                <div className="save-fields">
                  <p>
                    {pending.file.name} ({pending.file.size} bytes)
                  </p>
                  <label>
                    Path in vault
                    <input data-testid="save-path" value={pending.path} onChange={(e) => setPending({ ...pending, path: e.target.value })} />
                  </label>
                  <label>
                    Description
                    <input data-testid="save-description" value={pending.description} onChange={(e) => setPending({ ...pending, description: e.target.value })} />
                  </label>
                  <label>
                    Experiment
                    <input data-testid="save-experiment" value={pending.experiment} onChange={(e) => setPending({ ...pending, experiment: e.target.value })} />
                  </label>
                  <label>
                    Your name
                    <input autoComplete="name" value={author.name} onChange={(e) => setAuthor({ ...author, name: e.target.value })} />
                  </label>
                  <label>
                    Your email
                    <input type="email" autoComplete="email" value={author.email} onChange={(e) => setAuthor({ ...author, email: e.target.value })} />
                  </label>
                  <button type="submit" disabled={!!busy} data-testid="save">
                    Save
                  </button>
                  <button type="button" onClick={() => setPending(null)}>
                    Cancel
                  </button>
                </div>
              )}
            </form>
            <div className="push">
              <button type="button" onClick={() => void push()} disabled={!!busy || source.kind !== 'url'} data-testid="push">
                Push{unpushed.size ? ` (${unpushed.size})` : ''}
              </button>
              {source.kind !== 'url' && <span className="hint">A dropped folder has no server to push to.</span>}
            </div>
          </section>

          <section className="panel history" aria-labelledby="history-h">
            <h2 id="history-h">{file ? `History of ${file.path}` : 'History'}</h2>
            {file && (
              <NavList
                items={vRows}
                selected={versionIdx}
                onSelect={setVersionIdx}
                label={`Versions of ${file.path}`}
                testId="version-list"
                rowTestId="version-row"
                keyOf={(v) => String(v.version)}
                rowAttrs={(v) => ({ 'data-version': String(v.version), 'data-verified': v.verified })}
                render={(v) => (
                  <>
                    <span className="vnum">v{v.version}</span>
                    <span className={`mark mark-${v.verified}`} aria-label={v.verified} title={v.verified}>
                      {v.verified === 'verified' ? '✓' : v.verified === 'damaged' ? '✗' : '·'}
                    </span>
                    <span className="date">{v.date}</span>
                    <span className="size">{v.size}</span>
                    <span className="desc">{v.description}</span>
                    {v.experiment && <span className="badge">exp {v.experiment}</span>}
                    {v.tags.map((t) => (
                      <span className="badge tag" key={t}>
                        {t}
                      </span>
                    ))}
                    {v.unpushed && <span className="badge status-unpushed">not pushed</span>}
                  </>
                )}
              />
            )}
          </section>

          <section className="panel details" aria-labelledby="details-h">
            <h2 id="details-h">Version</h2>
            {record && file && vRow && (
              <>
                <dl data-testid="version-details">
                  {versionDetails(record).map(([k, v]) => (
                    <div key={k}>
                      <dt>{k}</dt>
                      <dd>{v}</dd>
                    </div>
                  ))}
                </dl>
                <div className="actions">
                  <button type="button" onClick={() => void download()} disabled={!!busy} data-testid="download">
                    Download v{vRow.version}
                  </button>
                  {numbers.length > 1 && (
                    <span className="compare">
                      <label>
                        Compare with
                        <select data-testid="diff-from" value={diffFrom ?? ''} onChange={(e) => setDiffFrom(e.target.value ? Number(e.target.value) : null)}>
                          <option value="">choose…</option>
                          {numbers
                            .filter((n) => n !== vRow.version)
                            .sort((a, b) => b - a)
                            .map((n) => (
                              <option key={n} value={n}>
                                v{n}
                              </option>
                            ))}
                        </select>
                      </label>
                      <button type="button" onClick={() => void showDiff()} disabled={!!busy || diffFrom === null} data-testid="show-diff">
                        Show diff
                      </button>
                    </span>
                  )}
                </div>
              </>
            )}
            {diff && <DiffView view={diff.view} title={diff.title} />}
          </section>
        </main>
      )}
    </div>
  );
}
