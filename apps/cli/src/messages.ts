/** Every user-facing sentence of the CLI, in one place. */
import type { AutoSaveEvent, FileStatus, RestoreResult, SaveResult, TagResult, VerifyResult, VersionRecord, ExportResult, InitResult } from '@savepoint/core';
import type { Output } from './output.js';
import { formatBytes } from './output.js';

export const msg = {
  programDescription: 'Git-backed, verified, restorable history for data files (CSV, JSON, XLSX, .mat, HDF5, SQLite).',
  init(r: InitResult): string[] {
    return r.existingRepo
      ? [`Savepoint vault ready in ${r.dir}`, `History goes to the branch "${r.branch}"; your branch, index and files are left alone.`, 'Commit savepoint.json when you like; next: savepoint save <file>']
      : [`Initialized Savepoint vault in ${r.dir} (branch ${r.branch})`, 'Next: savepoint save <file> -m "what changed"'];
  },
  save(r: SaveResult, out: Output): string[] {
    const lines = r.files.map((f) =>
      f.status === 'saved'
        ? `${out.c.green('saved')}     ${f.path}@${f.version}  ${formatBytes(f.size)}  sha256 ${f.sha256.slice(0, 12)}`
        : `${out.c.dim('unchanged')} ${f.path}@${f.version}  (same content as the latest version; --force saves anyway)`,
    );
    if (r.commit) lines.push(out.c.dim(`commit ${r.commit.slice(0, 12)}${r.tag ? `  tag ${r.tag}` : ''}`));
    return lines;
  },
  logLine(v: VersionRecord, out: Output): string {
    const when = v.savedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    const tags = v.tags.length ? ' ' + out.c.yellow(`(${v.tags.join(', ')})`) : '';
    const state = v.status === 'archived' ? out.c.dim(` [archived ${v.archive ?? ''}]`) : v.status === 'verified' ? out.c.green(' ✓') : '';
    const exp = v.experiment ? out.c.cyan(` {${v.experiment}}`) : '';
    return `${out.c.bold(`${v.path}@${v.version}`)}  ${when}  ${out.c.dim(v.commit.slice(0, 10))}  ${formatBytes(v.size).padStart(7)}  ${v.summary}${exp}${tags}${state}`;
  },
  noHistory: 'No saves yet. Save a file with: savepoint save <file>',
  show(v: VersionRecord): string[] {
    const rows: [string, string | undefined][] = [
      ['path', v.path],
      ['version', String(v.version)],
      ['size', `${formatBytes(v.size)} (${v.size} bytes)`],
      ['sha256', v.sha256],
      ['md5', v.md5],
      ['commit', v.commit],
      ['saved', v.savedAt],
      ['message', v.summary],
      ['description', v.description],
      ['experiment', v.experiment],
      ['tags', v.tags.length ? v.tags.join(', ') : undefined],
      ['kind', v.kind],
      ['keep', v.keep],
      ['status', v.status + (v.verifiedAt ? ` (at ${v.verifiedAt} by ${v.verifiedBy ?? '?'})` : '')],
      ['archive', v.archive],
    ];
    return rows.filter(([, val]) => val !== undefined && val !== '').map(([k, val]) => `${k.padEnd(12)}${val}`);
  },
  statusLine(f: FileStatus, out: Output): string {
    const label = { new: out.c.green('new'), modified: out.c.yellow('modified'), unchanged: out.c.dim('unchanged'), missing: out.c.red('missing'), unsupported: out.c.red('bad name') }[f.state];
    const latest = f.latestVersion ? out.c.dim(` (v${f.latestVersion}${f.archivedVersions ? `, ${f.archivedVersions} archived` : ''})`) : '';
    const hint = f.state === 'unsupported' ? out.c.dim('  (not valid UTF-8: rename it to save it)') : '';
    return `${label.padEnd(out.color ? 19 : 10)} ${f.path}${latest}${hint}`;
  },
  statusEmpty: 'No tracked data files here. Save one with: savepoint save <file>',
  tag(r: TagResult): string {
    return `Tagged ${r.path}@${r.version} as ${r.name} (commit ${r.commit.slice(0, 12)})`;
  },
  restore(r: RestoreResult, out: Output): string[] {
    const lines: string[] = [];
    if (r.preRestoreSave) lines.push(out.c.yellow(`Saved the current ${r.preRestoreSave.path} first as version ${r.preRestoreSave.version} (it matched no saved version).`));
    lines.push(r.status === 'unchanged' ? `${r.to} already matches ${r.path}@${r.version}; nothing to do.` : `${out.c.green('restored')} ${r.path}@${r.version} → ${r.to} (${formatBytes(r.size)}, sha256 checked)`);
    return lines;
  },
  verify(r: VerifyResult, out: Output): string[] {
    const lines = r.items.filter((i) => i.status !== 'verified').map((i) => `${out.c.red(i.status.padEnd(9))} ${i.path}@${i.version}  ${i.message ?? ''}`);
    lines.push(
      `${r.ok ? out.c.green('OK') : out.c.red('PROBLEMS')}  verified ${r.verified}, corrupted ${r.corrupted}, missing ${r.missing}  (${formatBytes(r.bytes)} checked)`,
    );
    if (!r.ok) lines.push('Damaged versions can be restored from a remote (savepoint fetch) or an archive; the others are intact.');
    return lines;
  },
  watchReady(dir: string): string {
    return `Watching ${dir} for changes to tracked data files; Ctrl-C stops (pending saves finish first).`;
  },
  watchEvent(e: AutoSaveEvent, out: Output): string {
    switch (e.type) {
      case 'saved':
        return `${out.c.green('saved')}     ${e.path}@${e.version}`;
      case 'unchanged':
        return `${out.c.dim('unchanged')} ${e.path}@${e.version}`;
      case 'retry':
        return `${out.c.yellow('retrying')}  ${e.path} in ${e.delayMs} ms (attempt ${e.attempt}): ${e.message}`;
      case 'failed':
        return `${out.c.red('not saved')} ${e.path} after ${e.attempts} attempts [${e.code}]: ${e.message}\nYour file is untouched; save it by hand with: savepoint save ${e.path}`;
    }
  },
  export(r: ExportResult): string[] {
    return [`Wrote ${r.checksums} (${r.files} files) and ${r.manifest} (${r.versions} versions).`, 'Check files against it with: sha256sum -c checksums.txt'];
  },
};
