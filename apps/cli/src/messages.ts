/** Every user-facing sentence of the CLI, in one place. */
import type { ExperimentSummary, AutoSaveEvent, FileStatus, RepairResult, RestoreResult, SaveResult, TagResult, VerifyResult, VersionRecord, ExportResult, InitResult } from '@savepoint/core';
import type { PgDumpInfo, RestoreAllResult, RestorePgResult } from '@savepoint/core';
import type { CloneResult, CopiesReport, FetchResult, PullResult, PushOutcome, QueueEntry, RemoteInfo } from '@savepoint/core';
import type { ApplyRetentionResult, ArchiveInfo, ExpiringVersion, RetentionDecision, RetentionPolicy, VaultRetentionPlan } from '@savepoint/core';
import type { AfterSaveReport, MaintainReport, MaintainStep } from '@savepoint/core';
import type { Health, OpHealth } from '@savepoint/core';
import type { AuditEntry, DoctorResult } from '@savepoint/core';
import type { Output } from './output.js';
import { formatBytes } from './output.js';

export const msg = {
  programDescription: 'Git-backed, verified, restorable history for data files (CSV, JSON, XLSX, .mat, HDF5, SQLite).',
  init(r: InitResult): string[] {
    const defaults = [
      r.config.retention.auto
        ? `After saves, the newest ${r.config.retention.keepLast ?? r.config.maxVersions} versions of each file stay in the history and older ones move into compressed, checksummed archives (still restorable; never the latest). Opt out: "retention": {"auto": false} in savepoint.json.`
        : 'Old versions are never archived automatically (retention.auto is off); see: savepoint retention plan',
      ...(r.config.exportDir ? [`${r.config.exportDir}/checksums.txt and manifest.json are kept current after every save (git-ignored).`] : []),
    ];
    return r.existingRepo
      ? [`Savepoint vault ready in ${r.dir}`, `History goes to the branch "${r.branch}"; your branch, index and files are left alone.`, ...defaults, 'Commit savepoint.json when you like; next: savepoint save <file>']
      : [`Initialized Savepoint vault in ${r.dir} (branch ${r.branch})`, ...defaults, 'Next: savepoint save <file> -m "what changed"'];
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
      ['size', v.size >= 0 ? `${formatBytes(v.size)} (${v.size} bytes)` : 'unknown (no checksum note)'],
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
      ['status', v.status],
      ['note', v.noteMissing ? 'missing: this save has no checksum note (sha256 above is from the commit trailer). Rebuild notes with: savepoint repair' : undefined],
      ['verified', v.verifiedAt ? `${v.verifiedAt} by ${v.verifiedBy ?? '?'}` : undefined],
      ['archive', v.archive ? `${v.archive}${v.archivedAt ? ` (archived ${v.archivedAt})` : ''}` : undefined],
    ];
    return rows.filter(([, val]) => val !== undefined && val !== '').map(([k, val]) => `${k.padEnd(12)}${val}`);
  },
  statusLine(f: FileStatus, out: Output): string {
    const label = { new: out.c.green('new'), modified: out.c.yellow('modified'), unchanged: out.c.dim('unchanged'), missing: out.c.red('missing'), unsupported: out.c.red('bad name') }[f.state];
    const latest = f.latestVersion ? out.c.dim(` (${f.matchesVersion ? `= v${f.matchesVersion}, latest ` : ''}v${f.latestVersion}${f.archivedVersions ? `, ${f.archivedVersions} archived` : ''})`) : '';
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
    if (r.recorded) lines.push(`Recorded as ${r.recorded.path}@${r.recorded.version} (kind restore): the latest version is now what the file holds.`);
    return lines;
  },
  // --- issue 14: whole-vault time travel and Postgres dumps
  allWithPg: '--all restores every tracked file; --pg restores one dump into a database. Use one or the other.',
  pgOneFile: 'save --pg writes the dump to exactly one file: savepoint save --pg postgres://user@host/db shop.dump',
  restoreAll(r: RestoreAllResult, out: Output): string[] {
    const lines: string[] = [];
    if (r.preRestoreSave) lines.push(out.c.yellow(`Saved first (they matched no saved version): ${r.preRestoreSave.files.map((f) => `${f.path}@${f.version}`).join(', ')}`));
    for (const f of r.files) {
      if (f.status === 'restored') lines.push(`${out.c.green('restored ')} ${f.path}@${f.version}${f.created ? ' (was missing)' : ''}  ${formatBytes(f.size ?? 0)}, sha256 checked`);
      else if (f.status === 'unchanged') lines.push(`${out.c.dim('unchanged')} ${f.path}@${f.version}`);
      else lines.push(`${out.c.yellow('not then ')} ${f.path}  had no version at ${r.at}; ${r.inPlace ? 'left as it is (Savepoint never deletes files)' : 'not written'}`);
    }
    const c = r.counts;
    lines.push(`${r.inPlace ? 'Vault' : `Wrote ${r.to}:`} as at ${r.at}: ${c.restored} restored, ${c.unchanged} unchanged, ${c.notPresent} not present then.`);
    if (r.recorded) lines.push(`Recorded as one save (kind restore): ${r.recorded.files.map((f) => `${f.path}@${f.version}`).join(', ')}.`);
    return lines;
  },
  savePg(r: SaveResult & { pg: PgDumpInfo }, out: Output): string[] {
    return [...msg.save(r, out), `pg_dump of ${r.pg.database} on ${r.pg.host}:${r.pg.port} (server ${r.pg.serverVersion || '?'}, pg_dump ${r.pg.dumpVersion || '?'})`];
  },
  diffAllSummary(from: string, to: string | undefined, c: { added: number; removed: number; changed: number; unchanged: number }): string {
    return `${from} → ${to ?? 'working files'}: ${c.changed} changed, ${c.added} added, ${c.removed} removed, ${c.unchanged} unchanged.`;
  },
  restorePg(r: RestorePgResult): string[] {
    return [`restored ${r.path}@${r.version} (sha256 checked) into ${r.database} on ${r.host}:${r.port}${r.clean ? ' with --clean' : ''}: ${r.objectsAfter} tables, views and sequences (${r.objectsBefore} before).`];
  },
  // ---
  verifyHelp: `
What each mode proves:
  savepoint verify           every version's content hashes to the sha256 recorded when it was saved, AND
                             its stored git object hashes to its SHA-1 id, AND each loose object is a
                             whole, valid zlib stream (header, block lengths, final block, Adler-32,
                             nothing after it), AND every pack is intact as a whole (trailer and index
                             checksums, each entry's CRC, also of objects no version uses). Damaged copies
                             are named even when an intact copy still serves the version.
  savepoint verify --quick   every version's content hashes to the sha256 recorded when it was saved
                             (so it is exactly what was saved). It skips the git SHA-1, the loose-object
                             zlib checksums and the whole-pack checks: damage to storage framing or to pack
                             bytes no version uses is not reported. Versions that fail are checked again in
                             full, so what it reports is the same as a full verify would.
Versions are hashed in parallel, one per core; a single version of 256 MiB or more in a full verify is read
by two threads at once when a core is free (SHA-1 and zlib checks on one, sha256 on the other).`,
  verify(r: VerifyResult, out: Output): string[] {
    const lines = r.items.filter((i) => i.status !== 'verified').map((i) => `${out.c.red(i.status.padEnd(9))} ${i.path}@${i.version}  ${i.message ?? ''}`);
    for (const i of r.items) for (const c of i.damagedCopies ?? []) lines.push(`${out.c.red('damaged'.padEnd(9))} a copy of ${i.path}@${i.version} in ${c.location}  (the version reads from another, intact copy; ${/[\\/]objects[\\/]pack[\\/]/.test(c.location) ? 'see the damaged pack below' : 'delete that damaged file, or save the good file again with --force to replace it'})`);
    // damaged packs (issue 19 item 13)
    const badPacks = r.packs.filter((p) => !p.ok);
    for (const p of badPacks) {
      lines.push(`${out.c.red('damaged'.padEnd(9))} ${p.pack}  [${p.code}] ${p.problems.map((x) => x.message).slice(0, 3).join('; ')}${p.problemCount > 3 ? ` (+${p.problemCount - 3} more)` : ''}`);
    }
    const packNote = r.packs.length ? `; packs ${r.packs.length - badPacks.length}/${r.packs.length} intact` : r.mode === 'quick' ? '; quick: sha256 only, packs not checked' : '';
    lines.push(
      `${r.ok ? out.c.green('OK') : out.c.red('PROBLEMS')}  verified ${r.verified}, corrupted ${r.corrupted}, missing ${r.missing}${r.unnoted ? `, without checksum note ${r.unnoted}` : ''}${packNote}  (${formatBytes(r.bytes)} checked)`,
    );
    if (r.marks === 'read-only') lines.push(out.c.yellow('The vault is read-only here: the results above stand, but the verified status could not be recorded in the notes.'));
    if (r.corrupted + r.missing > 0) lines.push('Damaged versions can be restored from a remote (savepoint fetch) or an archive; the others are intact.');
    if (r.unnoted > 0) lines.push(`${r.unnoted} version${r.unnoted === 1 ? ' has' : 's have'} no checksum note [E_NOTE_MISSING] (was refs/notes/savepoint deleted?). Rebuild the notes from the commit trailers with: savepoint repair`);
    if (badPacks.length) lines.push('Versions not listed above still read correctly (from the pack or another copy). To repair a damaged pack: move it and its .idx out of .git/objects/pack, run `git unpack-objects -r < <moved pack>` in the vault, then `savepoint verify` again and fetch or re-save what it reports missing.');
    return lines;
  },
  repair(r: RepairResult, out: Output): string[] {
    const lines: string[] = [];
    for (const o of r.objects) {
      if (o.status === 'unfixed') continue; // listed with the problems below
      lines.push(`${o.status === 'would-replace' ? out.c.yellow('would fix') : out.c.green('fixed')} ${o.versions.map((v) => `${v.path}@${v.version}`).join(', ')} (blob ${o.blob.slice(0, 12)}: ${o.damage}) from ${o.source}, sha1 and sha256 checked`);
    }
    for (const n of r.rebuilt) lines.push(`${r.dryRun ? out.c.yellow('would rebuild') : out.c.green('rebuilt')} ${n.reason === 'damaged' ? 'damaged ' : ''}note on ${n.commit.slice(0, 12)}: ${n.files.map((f) => `${f.path}@${f.version} (${formatBytes(f.size)}, sha256 ${f.sha256.slice(0, 12)} re-checked)`).join(', ')}`);
    for (const p of r.problems) lines.push(`${out.c.red('not fixed')}${p.commit ? ` ${p.commit.slice(0, 12)}` : ''}${p.path !== undefined ? ` ${p.path}@${p.version}` : ''} [${p.code}]: ${p.message}`);
    const verb = r.dryRun ? 'would be rebuilt' : 'rebuilt';
    const fixedObjects = r.objects.filter((o) => o.status !== 'unfixed').length;
    lines.push(`${r.ok ? out.c.green('OK') : out.c.red('PROBLEMS')}  ${r.saves} save${r.saves === 1 ? '' : 's'}: ${r.noted} already had notes, ${r.rebuilt.length} ${verb}, ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}${r.objects.length ? `; ${r.objects.length} damaged object${r.objects.length === 1 ? '' : 's'}, ${fixedObjects} ${r.dryRun ? 'could be fixed' : 'fixed'}` : ''}`);
    if (r.dryRun && (r.rebuilt.length || fixedObjects)) lines.push('Nothing was written (--dry-run). Run `savepoint repair` to write these fixes.');
    return lines;
  },
  hooksUsage: `Usage: savepoint hooks <command>

Pre-commit checks for data files kept in a code repository.

Commands:
  install [--mode auto|husky|plain] [--command CMD]
                     add the check to the pre-commit hook: husky + lint-staged when the repo has a
                     package.json, a plain git hook otherwise (respects core.hooksPath; appends to an
                     existing hook). The hook runs \`savepoint hooks check\` (or this exact program when
                     savepoint is not on PATH).
  uninstall          remove exactly what install added
  check [--stdin0] [--filter] [--no-checksums] <files…>
                     check files as the hook does: format, size, backup/archive paths, secrets;
                     records sha256 in checksums.txt and stages it
Bypass a blocked commit on purpose with: git commit --no-verify
`,
  emptySaved(path: string, version: number): string {
    return `warning: ${path} is empty (0 bytes) and was saved as version ${version}.${version > 1 ? ` If it was truncated by mistake, get the previous content back with: savepoint restore ${path}@-1` : ''}`;
  },
  compact(before: { count: number; bytes: number }, r: { packedObjects: number; deltas: number; looseBytesBefore: number; packBytes: number } | null, thresholdBytes?: number): string {
    if (!r && thresholdBytes !== undefined) return `loose objects take ${formatBytes(before.bytes)} (${before.count} objects), under the ${formatBytes(thresholdBytes)} threshold: nothing done`;
    if (!r || r.packedObjects === 0) return `nothing to compact: no loose objects (${before.count} objects, ${formatBytes(before.bytes)} are in packs or shared)`;
    return `compacted ${r.packedObjects} objects (${r.deltas} as deltas): ${formatBytes(r.looseBytesBefore)} loose → ${formatBytes(r.packBytes)} packed, verified`;
  },
  noSpace(detail: string): string {
    return `Not enough disk space (${detail}). Free some space and run the command again.`;
  },
  readOnlyWrite(detail: string): string {
    return `Cannot write there: it is on read-only media (${detail}). Nothing was changed. Read commands still work; send output to a writable folder instead (e.g. \`savepoint export -o <folder>\`).`;
  },
  watchReady(targets: string[]): string {
    return `Watching ${targets.join(', ')} for changes to tracked data files; Ctrl-C stops (pending saves finish first).`;
  },
  watchMissing(p: string): string {
    return `warning: ${p} does not exist yet; it will be saved when it appears (if it matches trackedPatterns).`;
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
      case 'paused':
        return pipeMsg.paused;
      case 'after-save':
        return pipeMsg.afterSaveSummary(e.report, out);
    }
  },
  export(r: ExportResult, vaultDir: string): string[] {
    const inVault = r.checksums === `${vaultDir}/checksums.txt`;
    return [
      `Wrote ${r.checksums} (latest version of ${r.files} files)${r.md5 ? `, ${r.md5} (md5sum -c)` : ''} and ${r.manifest} (all ${r.versions} versions).`,
      `Check the working files against it from the vault folder with: sha256sum -c ${inVault ? 'checksums.txt' : r.checksums}`,
    ];
  },
};

// ---------------------------------------------------------------- remotes (push, fetch, pull, clone, copies)

const short = (oid: string | null | undefined) => (oid ? oid.slice(0, 10) : '(none)');

export const remoteMsg = {
  noRemotes: 'This vault has no remotes yet. Add one with `savepoint remote add NAME URL`.',
  nameTheRemote: (names: string[]) => `Name the remote (one of ${names.join(', ')}).`,
  pushAllWithName: (name: string) => `push --all sends to every remote; it cannot be combined with a remote name ("${name}"). Use \`savepoint push ${name}\` or \`savepoint push --all\`.`,
  none: 'No remotes yet. Add one with: savepoint remote add NAME URL [--media nas|usb|disk|cloud] [--offsite]',
  added(r: RemoteInfo): string {
    return `Added remote ${r.name} → ${r.url} (${r.media}, ${r.offsite ? 'off-site' : 'on-site'}${r.autoPush ? ', auto-push' : ''}). Push with: savepoint push ${r.name}`;
  },
  removed(r: RemoteInfo): string {
    return `Removed remote ${r.name} (${r.url}); the repository there was not touched.`;
  },
  listLine(r: RemoteInfo, queued: QueueEntry | undefined, out: Output): string {
    const flags = [r.media, r.offsite ? 'off-site' : 'on-site', ...(r.autoPush ? ['auto-push'] : [])].join(', ');
    const q = queued ? out.c.yellow(`  behind: ${queued.attempts} failed push${queued.attempts === 1 ? '' : 'es'} since ${queued.since} [${queued.lastError.code}]`) : '';
    return `${out.c.bold(r.name.padEnd(12))} ${r.url}  ${out.c.dim(`(${flags})`)}${q}`;
  },
  pushOutcome(o: PushOutcome, out: Output): string[] {
    if (o.ok && o.result) {
      const r = o.result;
      if (r.status === 'up-to-date') return [`${out.c.dim('up to date')} ${o.remote}`];
      const parts = [`${r.branch.ref.replace('refs/heads/', '')} ${short(r.branch.from)}..${short(r.branch.to)}`];
      if (r.notes.merged === 'merged') parts.push('notes merged with the remote\'s');
      if (r.tags.pushed.length) parts.push(`${r.tags.pushed.length} tag${r.tags.pushed.length === 1 ? '' : 's'}`);
      const lines = [`${out.c.green('pushed')}     ${o.remote}: ${parts.join(', ')} (${r.objects} objects)`];
      if (r.tags.conflicts.length) lines.push(out.c.yellow(`  tags that differ on ${o.remote} were left alone: ${r.tags.conflicts.join(', ')}`));
      if (r.branch.retained) lines.push(out.c.dim(`  retention rewrote this history; ${o.remote} keeps its previous history (with the archived versions) as ${r.branch.retained}`));
      return lines;
    }
    if (o.skipped === 'backoff' && o.queueEntry) return [`${out.c.yellow('waiting')}    ${o.remote}: last push failed [${o.queueEntry.lastError.code}]; next automatic retry after ${o.queueEntry.nextAttempt} (or run: savepoint push ${o.remote})`];
    const e = o.error;
    return [`${out.c.red('not pushed')} ${o.remote} [${e?.code ?? '?'}]: ${e?.message ?? ''}`, ...(o.queued ? [out.c.dim(`  queued; retried on the next save or with: savepoint push ${o.remote}`)] : [])];
  },
  fetched(r: FetchResult, branch: string): string[] {
    const lines = [`Fetched ${r.remote}: ${branch} at ${short(r.branch)}${r.newTags.length ? `, new tags: ${r.newTags.join(', ')}` : ''}`];
    if (r.notes.action === 'merged') lines.push(`Checksum notes merged with ${r.remote}'s (${r.notes.merged} save${r.notes.merged === 1 ? '' : 's'} had notes on both sides).`);
    else if (r.notes.action === 'fast-forward') lines.push(`Checksum notes updated from ${r.remote}.`);
    return lines;
  },
  pulled(r: PullResult, branch: string): string[] {
    const lines = remoteMsg.fetched(r, branch);
    if (r.status === 'fast-forward') lines.push(`${branch} moved forward ${short(r.from)}..${short(r.to)}${r.updatedFiles.length ? `; updated ${r.updatedFiles.join(', ')}` : ''}`);
    else if (r.status === 'ahead') lines.push(`${branch} already has everything from ${r.remote} (and more: push with savepoint push ${r.remote}).`);
    else if (r.status === 'no-remote-branch') lines.push(`${r.remote} has no ${branch} branch yet; push to create it.`);
    else lines.push(`${branch} is up to date.`);
    if (r.keptFiles.length) lines.push(`Kept your unsaved changes in ${r.keptFiles.join(', ')}; the pulled versions are in the history (savepoint restore FILE@latest).`);
    return lines;
  },
  cloned(r: CloneResult, versions: number): string[] {
    return [`Cloned ${r.fetch.url} into ${r.dir} (branch ${r.branch}, ${versions} version${versions === 1 ? '' : 's'}, ${r.files} file${r.files === 1 ? '' : 's'} checked out).`, 'Check every version with: savepoint verify'];
  },
  copiesLines(rep: CopiesReport, out: Output): string[] {
    const lines: string[] = [];
    for (const v of [...rep.versions].reverse()) {
      const where = v.locations.map((l) => l.name).join(', ') || 'nowhere';
      const mark = v.ok321 ? out.c.green('3-2-1') : v.copies <= 1 ? out.c.red('1 copy') : out.c.yellow(`${v.copies} copies`);
      lines.push(`${mark.padEnd(out.color ? 17 : 8)} ${v.path}@${v.version}  ${out.c.dim(`${v.media} media${v.offsite ? ', off-site' : ''}: ${where}`)}`);
    }
    for (const r of rep.remotes) {
      const when = r.lastPush ?? r.lastFetch;
      lines.push(out.c.dim(`remote ${r.name} (${r.media}, ${r.offsite ? 'off-site' : 'on-site'}): ${r.tip ? `at ${short(r.tip)}` : 'never pushed'}${when ? `, last sync ${when}` : ''}${r.refreshError ? ` — refresh failed [${r.refreshError.code}]` : ''}`));
    }
    const s = rep.summary;
    lines.push(
      s.versions === 0
        ? 'No versions yet.'
        : `${s.ok321 === s.versions ? out.c.green('3-2-1 OK') : out.c.yellow('3-2-1 not met')}: ${s.ok321}/${s.versions} versions have 3 copies on 2 media with 1 off-site; ${s.singleCopy} exist only once; ${s.withOffsite} have an off-site copy.`,
    );
    return lines;
  },
  queueLines(queue: QueueEntry[], out: Output): string[] {
    return queue.map((q) => out.c.yellow(`push pending: ${q.remote} — ${q.attempts} failed attempt${q.attempts === 1 ? '' : 's'} since ${q.since} [${q.lastError.code}]; next retry after ${q.nextAttempt} (or: savepoint push ${q.remote})`));
  },
};

// ---------------------------------------------------------------- retention and archives

const when = (iso: string) => iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, 'Z');

export const retentionMsg = {
  warning: (w: string) => `warning: ${w}`,
  policy(p: RetentionPolicy): string {
    const parts = [`keep-last ${p.keepLast}`];
    if (p.keepWithin) parts.push(`keep-within ${p.keepWithin}`);
    for (const k of ['daily', 'weekly', 'monthly', 'yearly'] as const) if (p[k]) parts.push(`${k} ${p[k]}`);
    if (p.expireArchivesAfter) parts.push(`archives expire after ${p.expireArchivesAfter}`);
    return `${parts.join(', ')}; tags, permanent saves, unverified snapshots and the latest version of every file are always kept`;
  },
  decision(d: RetentionDecision, out: Output): string {
    const label = d.action === 'archive' ? out.c.yellow('archive') : d.action === 'delete' ? out.c.red('delete ') : d.archive ? out.c.dim('archived') : out.c.green('keep   ');
    const until = d.keptUntil ? out.c.dim(` until ${when(d.keptUntil)}`) : '';
    const also = d.rules.length > 1 ? out.c.dim(` (+${d.rules.slice(1).join(', ')})`) : '';
    return `${label.padEnd(out.color ? 18 : 8)} ${`${d.path}@${d.version}`.padEnd(20)} ${when(d.savedAt)}  ${formatBytes(d.size).padStart(8)}  ${d.reason}${also}${until}`;
  },
  plan(plan: VaultRetentionPlan, out: Output, all: boolean): string[] {
    const lines = [out.c.bold(`Retention plan (${retentionMsg.policy(plan.policy)})`)];
    const shown = plan.decisions.filter((d) => all || d.action !== 'keep' || !d.archive);
    for (const d of shown) lines.push(retentionMsg.decision(d, out));
    const stay = plan.decisions.filter((d) => d.action === 'keep' && d.archive).length;
    const c = plan.counts;
    lines.push(
      `${c.archive} to archive, ${c.delete} to delete, ${c.keep - stay} kept${stay ? `, ${stay} already archived${all ? '' : ' (--all lists them)'}` : ''}; frees ${formatBytes(plan.bytesFreed)} from the repository.`,
    );
    if (c.archive + c.delete === 0) lines.push('Nothing to do.');
    return lines;
  },
  confirm: 'Apply this plan? Archived versions stay restorable from their archive. [y/N] ',
  declined: 'Nothing was changed.',
  needYes: 'Refusing to apply a retention plan without confirmation: this is not an interactive terminal. Review it with `savepoint retention plan`, then run `savepoint retention apply --yes` with the same options.',
  applied(r: ApplyRetentionResult, out: Output): string[] {
    const lines: string[] = [];
    for (const a of r.archives) lines.push(`${out.c.green('archived')} ${a.versions.length} version${a.versions.length === 1 ? '' : 's'} → ${a.file} (${formatBytes(a.size)}, sha256 ${a.sha256.slice(0, 12)}, bundle verified)`);
    for (const f of r.deletedArchives) lines.push(`${out.c.red('deleted')}  ${f}`);
    if (r.archived) lines.push(`Rewrote ${r.commitsRewritten} save commit${r.commitsRewritten === 1 ? '' : 's'} without the archived content; ${r.notesMoved} note${r.notesMoved === 1 ? '' : 's'} re-attached${r.tagsMoved.length ? `, tags moved: ${r.tagsMoved.join(', ')}` : ''}.`);
    if (r.archived) lines.push(`Removed ${r.prune.objects} object${r.prune.objects === 1 ? '' : 's'} (${formatBytes(r.prune.bytes)}) from the repository.`);
    if (!r.archived && !r.deleted) lines.push('Nothing to do.');
    return lines;
  },
  autoApplied(n: number, files: string[]): string {
    return `retention: archived ${n} old version${n === 1 ? '' : 's'} into ${files.join(', ')}`;
  },
  expiring(r: { until: string; versions: ExpiringVersion[] }, out: Output): string[] {
    if (!r.versions.length) return [`No version would leave the repository before ${when(r.until)} (without new saves).`];
    return [
      ...r.versions.map((v) => `${out.c.yellow(v.then.padEnd(8))} ${`${v.path}@${v.version}`.padEnd(20)} ${when(v.savedAt)}  ${formatBytes(v.size).padStart(8)}  kept by ${v.keptBy}${v.keptUntil ? ` until ${when(v.keptUntil)}` : ''}`),
      `${r.versions.length} version${r.versions.length === 1 ? '' : 's'} would be archived by ${when(r.until)}. Keep one with: savepoint tag FILE@N`,
    ];
  },
  /** `savepoint archive data.csv@3` (issue 14 item 5) */
  archivedOne(r: { path: string; version: number; status: 'archived' | 'already-archived'; archive?: string }): string[] {
    if (r.status === 'already-archived') return [`${r.path}@${r.version} is already archived${r.archive ? ` in ${r.archive}` : ''}; nothing to do.`];
    return [`archived ${r.path}@${r.version}${r.archive ? ` → ${r.archive}` : ''} (checked, still listed and restorable: savepoint restore ${r.path}@${r.version})`];
  },
  archiveList(list: ArchiveInfo[], out: Output): string[] {
    if (!list.length) return ['No archives yet. `savepoint retention plan` shows what retention would archive.'];
    return list.map((a) => {
      const state = a.present ? '' : out.c.red(' MISSING');
      const vs = a.versions.map((v) => `${v.path}@${v.version}`).join(', ');
      return `${out.c.bold(a.file)}  ${formatBytes(a.size)}  ${a.createdAt ? when(a.createdAt) : ''}  ${out.c.dim(`sha256 ${a.sha256.slice(0, 12)}`)}${state}\n  ${vs}`;
    });
  },
};

// ---------------------------------------------------------------- after-save pipeline, maintain, schedule (issue 11)

const RETRY_HINT: Record<string, string> = {
  exports: 'they are refreshed again after the next save, or now with: savepoint maintain',
  retention: 'it runs again after the next save, or now with: savepoint maintain',
  push: 'queued; retried on the next save, by savepoint maintain, or now with: savepoint push',
  compact: 'it runs again after the next save, or now with: savepoint compact',
};

export const pipeMsg = {
  paused: 'Automatic saves are paused: savepoint.json has "enabled": false. Set it to true to resume them; `savepoint save FILE` still saves by hand.',
  stepFailed(step: string, code: string, message: string): string {
    return `warning: after-save step "${step}" failed [${code}]: ${message} (the save itself succeeded; ${RETRY_HINT[step] ?? 'it runs again after the next save'})`;
  },
  /** one dim line for watch: what the pipeline did */
  afterSaveSummary(r: AfterSaveReport, out: Output): string {
    const parts: string[] = [];
    if (r.exports.status === 'ok') parts.push('exports refreshed');
    if (r.retention.status === 'ok' && r.retention.result.archived) parts.push(`archived ${r.retention.result.archived} old version(s)`);
    if (r.push.status === 'ok') for (const o of r.push.result) parts.push(o.ok ? `pushed to ${o.remote}` : o.skipped ? `${o.remote}: retry waits for backoff` : `not pushed to ${o.remote} [${o.error?.code ?? '?'}] (queued)`);
    if (r.compact.status === 'ok' && r.compact.result?.packedObjects) parts.push(`compacted ${r.compact.result.packedObjects} objects`);
    for (const [k, v] of Object.entries(r) as [string, AfterSaveReport['exports']][]) if (typeof v === 'object' && v.status === 'failed') parts.push(`${k} failed [${v.error.code}]: ${v.error.message}`);
    return out.c.dim(`after save: ${parts.length ? parts.join('; ') : 'nothing to do'}`);
  },
  exportsRefreshed(dir: string): string {
    return `exports: ${dir}/checksums.txt and manifest.json are current`;
  },
  maintainWaiting(pid: number): string {
    return `Another savepoint maintain (pid ${pid || '?'}) is running on this vault; waiting for it to finish…`;
  },
  maintainJustRan(r: MaintainReport): string[] {
    return [`savepoint maintain just ran (finished ${r.previous?.finishedAt ?? '?'}, ${r.previous?.ok ? 'ok' : 'with problems'}) while this one waited; nothing repeated.`];
  },
  maintainStep(s: MaintainStep, out: Output): string {
    const label = s.step.padEnd(13);
    switch (s.status) {
      case 'ok': {
        const d = s.details ?? {};
        const what =
          s.step === 'retention' ? `archived ${String(d.archived ?? 0)}, deleted ${String(d.deleted ?? 0)}`
          : s.step === 'compact' ? `packed ${String(d.packedObjects ?? 0)} objects`
          : s.step === 'push' ? `pushed to ${((d.outcomes as { remote: string }[] | undefined) ?? []).map((o) => o.remote).join(', ')}`
          : s.step === 'exports' ? 'checksums and manifest refreshed'
          : s.step === 'restore-test' ? `${String(d.verified ?? 0)} version(s) restored into a temp folder, sha256 matched; ${String(d.notesMarked ?? 0)} save note(s) newly marked verified`
          : 'done';
        return `${out.c.green('ok')}       ${label} ${what}`;
      }
      case 'skipped':
        return `${out.c.dim('skipped')}  ${label} ${out.c.dim(s.reason ?? '')}`;
      case 'planned':
        return `${out.c.yellow('dry run')}  ${label} ${s.reason ?? ''}`;
      case 'failed':
        return `${out.c.red('FAILED')}   ${label} [${s.error?.code ?? '?'}] ${s.error?.message ?? ''}`;
    }
  },
  maintain(r: MaintainReport, out: Output): string[] {
    if (r.outcome === 'just-ran') return pipeMsg.maintainJustRan(r);
    const lines = r.steps.map((s) => pipeMsg.maintainStep(s, out));
    for (const i of r.restorationTest) {
      if (i.status === 'failed') lines.push(out.c.red(`  ${i.path}@${i.version} (${i.pick}) did not restore bit-exact [${i.error?.code ?? '?'}]: ${i.error?.message ?? ''}`));
      else lines.push(out.c.dim(`  ${i.status === 'planned' ? 'would test' : 'restored'} ${i.path}@${i.version} (${i.pick}${i.archived ? ', from its archive' : ''})`));
    }
    lines.push(r.dryRun ? 'Dry run: nothing was changed.' : r.ok ? `Maintenance done in ${(r.durationMs / 1000).toFixed(1)} s.` : 'Maintenance finished with problems (see above); the next run retries.');
    return lines;
  },
  scheduleInstalled(kind: string, files: { path: string; content: string }[], commands: string[]): string[] {
    const lines = [`Installed a ${kind} schedule for savepoint maintain:`];
    for (const f of files) lines.push('', `--- ${f.path}`, f.content.replace(/\n$/, ''));
    if (commands.length) lines.push('', ...commands);
    return lines;
  },
  scheduleRemoved(kind: string, removed: string[]): string[] {
    return removed.length ? [`Removed the ${kind} schedule:`, ...removed.map((r) => `  ${r}`)] : ['No schedule was installed for this vault; nothing removed.'];
  },
  scheduleStatus(s: { installed: boolean; kind?: string; schedule?: string; command?: string; present?: boolean; where?: string[] }): string[] {
    if (!s.installed) return ['No schedule installed for this vault. Install one with: savepoint schedule install --every 1h (or --daily 02:00)'];
    return [
      `Schedule: ${s.kind} (${s.schedule})${s.present ? '' : ' — MISSING: it was removed outside Savepoint; run savepoint schedule install again'}`,
      `Runs: ${s.command}`,
      ...(s.where ?? []).map((w) => `In: ${w}`),
    ];
  },
};

// ---------------------------------------------------------------- health, metrics and alerts

const ago = (iso: string) => iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, 'Z');
const secsText = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

export const healthMsg = {
  op(name: string, h: OpHealth | null, out: Output): string {
    if (!h) return `${name} ${out.c.dim('never')}`;
    if (h.ok) return `${name} ${ago(h.lastAt)} ${out.c.green('ok')} (${secsText(h.durationMs)})`;
    const since = h.lastSuccessAt ? `, last ok ${ago(h.lastSuccessAt)}` : '';
    return `${name} ${ago(h.lastAt)} ${out.c.red('FAILED')} [${h.error?.code ?? '?'}]${h.errorsSinceSuccess > 1 ? ` ${h.errorsSinceSuccess}× since the last success` : ''}${since}`;
  },
  /** the short health block of `savepoint status` */
  lines(h: Health, out: Output): string[] {
    const parts = [healthMsg.op('save', h.save, out), healthMsg.op('verify', h.verify, out), healthMsg.op('push', h.push, out)];
    if (h.maintain) parts.push(healthMsg.op('maintain', h.maintain, out));
    const lines = [`health: ${parts.join('; ')}`];
    if (h.failingFiles.length) lines.push(out.c.red(`  not saved: ${h.failingFiles.map((f) => `${f.path} [${f.error.code}] since ${ago(f.since)}`).join(', ')}`));
    if (h.badVersions.length) lines.push(out.c.red(`  damaged: ${h.badVersions.map((b) => `${b.path}@${b.version}`).join(', ')} (run: savepoint verify; restore from a remote or archive)`));
    for (const a of h.alerts.firing) lines.push(out.c.yellow(`  alert ${a.alert} since ${ago(a.since)}: ${a.message}`));
    if (h.alerts.lastDeliveryError) lines.push(out.c.dim(`  last alert delivery failed (${h.alerts.lastDeliveryError.channel}): ${h.alerts.lastDeliveryError.message}`));
    return lines;
  },
  serving(url: string): string {
    return `Serving metrics on ${url} (fresh on every scrape); Ctrl-C stops.`;
  },
  notFound: 'Not found. Metrics are at /metrics\n',
  badListen(text: string): string {
    return `--serve wants HOST:PORT, e.g. 127.0.0.1:9464 (got "${text}").`;
  },
  listenFailed(where: string, why: string): string {
    return `Cannot serve metrics on ${where} (${why}). Pick another address or port with --serve HOST:PORT.`;
  },
};

// --- issue 12 items 3-4: S3 remotes and encryption at rest
export const cryptoMsg = {
  prompt: 'Passphrase for the encrypted remote (not stored; losing it loses the data): ',
  needed: 'This remote is encrypted and no key was given. Set SAVEPOINT_PASSPHRASE (or SAVEPOINT_KEY_FILE to a key file), or run the command in a terminal to be asked.',
  keyFileUnreadable: (file: string, why: string) => `Cannot read the key file ${file} (SAVEPOINT_KEY_FILE): ${why}. Point SAVEPOINT_KEY_FILE at the key file used for this remote.`,
  cancelled: 'No passphrase entered.',
  noSuchFile: (file: string) => `No such file: ${file}.`,
  jsonNeedsOut: 'With --json, give the output file with -o FILE (stdout carries the JSON).',
  outExists: (file: string) => `${file} already exists. Give -o a new file name; nothing was written.`,
  decrypted: (src: string, dest: string, bytes: number) => `Decrypted ${src} → ${dest} (${bytes} bytes).`,
};
// ---

// ---------------------------------------------------------------- doctor and audit (issue 13 items 4, 5)

export const doctorMsg = {
  lines(r: DoctorResult, out: Output): string[] {
    if (r.findings.length === 0) return [out.c.green('No problems found.')];
    const lines = r.findings.map((f) => `${f.fixed ? out.c.green('fixed ') : out.c.red('problem')} ${f.check}: ${f.message}${!f.fixed && f.hint ? out.c.dim(` (${f.hint})`) : ''}`);
    const fixed = r.findings.length - r.remaining;
    lines.push(r.remaining === 0 ? `All ${fixed} problem(s) fixed.` : `${r.remaining} problem(s) remain${fixed ? `, ${fixed} fixed` : ''}.${r.fix ? '' : ' Run `savepoint doctor --fix` to fix what can be fixed automatically.'}`);
    return lines;
  },
};

export const auditMsg = {
  line(e: AuditEntry): string {
    const what = [...e.paths, ...(e.versions.length ? [`[${e.versions.join(', ')}]`] : [])].join(' ');
    return `${e.time} ${e.user}@${e.host} ${e.command}${what ? ` ${what}` : ''} → ${e.result}`;
  },
  empty: 'The audit log is empty.',
  badSince(s: string): string {
    return `--since wants a date or a duration like 2026-05-01, 7d, 12h or 30m (got "${s}").`;
  },
};

// ---- catalog (issue 14): experiments, find, reindex ----
export const catalogMsg = {
  experiments(list: ExperimentSummary[], out: Output): string[] {
    if (list.length === 0) return ['No experiments yet. Record one with: savepoint save <file> --experiment <id>'];
    return list.map(
      (e) =>
        `${out.c.cyan(e.experiment)}  ${e.versions} version${e.versions === 1 ? '' : 's'} of ${e.files.length} file${e.files.length === 1 ? '' : 's'}  ${e.firstSavedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')} → ${e.lastSavedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}  ${out.c.dim(e.files.slice(0, 5).join(', ') + (e.files.length > 5 ? ', …' : ''))}`,
    );
  },
  findNeedsFilter: 'find needs at least one filter: --sha256 <hex>, --since <date>, --until <date>, --kind <kind>, --experiment <id> or a path. To list everything use: savepoint log',
  findNone: 'No version matches.',
  reindex(r: { saves: number; versions: number; persistent: boolean; ms: number }): string {
    return `Catalog rebuilt from the history branch and notes: ${r.saves} save${r.saves === 1 ? '' : 's'}, ${r.versions} version${r.versions === 1 ? '' : 's'} in ${(r.ms / 1000).toFixed(1)} s${r.persistent ? '' : ' (in memory only: .git/savepoint is not writable)'}.`;
  },
};

/** Bad flag values and arguments (E_INVALID_ARGUMENT), named after the flag. */
export const usageMsg = {
  wholeNumberAtLeast1: (flag: string, got: string) => `--${flag} must be a whole number ≥ 1 (got "${got}").`,
  wholeNumber: (flag: string, got: string) => `--${flag} needs a whole number (got "${got}").`,
  nonNegative: (flag: string, got: string) => `--${flag} must be a number ≥ 0 (got "${got}").`,
  ifOver: (got: string) => `--if-over must be a number of MB ≥ 0 (got "${got}").`,
  debounce: (got: string) => `--debounce must be a number of milliseconds (got "${got}").`,
  wait: (got: string) => `--wait needs a duration like 30s, 10m or 2h (got "${got}").`,
  scheduleMethod: (got: string) => `--method must be auto, systemd or cron (got "${got}").`,
  notHooksCommand: (sub: string) => `"${sub}" is not a hooks command. Use: savepoint hooks install | uninstall | check <files…> (savepoint hooks --help).`,
};

/** `save --check`: the file is not valid in its format. */
export const checkMsg = {
  empty: (rel: string) => `${rel} is empty (0 bytes). Check the file was fully written, or save without --check to keep an empty version.`,
  invalid: (rel: string, format: string, first: { line?: number; message: string } | undefined) =>
    `${rel} is not valid ${format}${first ? `: ${first.line ? `line ${first.line}: ` : ''}${first.message}` : ''}. Fix it, or save without --check to keep it as it is.`,
};

/** `schedule`: the scheduler (user systemd, cron) cannot be used. */
export const scheduleMsg = {
  systemctlFailed: (args: string[], why: string) => `systemctl --user ${args.join(' ')} failed: ${why}. Check \`systemctl --user status\`, or install a crontab line instead with --method cron.`,
  noScheduler: (why: string) => `Neither a user systemd nor the crontab command is available here (${why}). Install cron, or have your own scheduler run \`savepoint -C <vault> maintain --quiet\` (with absolute paths).`,
  crontabFailed: (command: string, why: string) => `crontab ${command} failed: ${why}`,
  noUserSystemd: 'No user systemd is running here (no systemd --user manager). Use --method cron, or --systemd-dir DIR to only write the unit files.',
};
