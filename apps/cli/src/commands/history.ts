/** Read-only history commands: log, show, status, tag, export, cat. */
import path from 'node:path';
import type { Registrar } from '../context.js';
import { catalogMsg, healthMsg, msg, remoteMsg, usageMsg } from '../messages.js';
import { remoteAuthFromEnv } from './remote.js';

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw Object.assign(new Error(usageMsg.wholeNumberAtLeast1('limit', text)), { code: 'E_INVALID_ARGUMENT' });
  return n;
}

export function registerHistory({ program, action }: Registrar): void {
  program
    .command('log [path]')
    .description('list saved versions, newest first')
    .option('-n, --limit <n>', 'show at most n versions')
    .option('--experiment <id>', 'only versions saved with this experiment id (savepoint experiments lists them)')
    .action(
      action(async (ctx, file: string | undefined, opts: { limit?: string; experiment?: string }) => {
        const vault = await ctx.vault();
        const limit = parseLimit(opts.limit);
        const versions = await ctx.core.log(vault, { cwd: ctx.cwd, ...(file !== undefined ? { path: file } : {}), ...(limit ? { limit } : {}), ...(opts.experiment !== undefined ? { experiment: opts.experiment } : {}) });
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, versions });
        if (versions.length === 0) ctx.out.line(msg.noHistory);
        ctx.out.lines(versions.map((v) => msg.logLine(v, ctx.out)));
      }),
    );

  // ---- catalog queries (issue 14): experiments, find, reindex ----
  program
    .command('experiments')
    .description('every experiment id: its files, number of versions, first and last save')
    .action(
      action(async (ctx) => {
        const vault = await ctx.vault();
        const experiments = await ctx.core.experiments(vault);
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, experiments });
        catalogMsg.experiments(experiments, ctx.out).forEach((l) => ctx.out.line(l));
      }),
    );

  program
    .command('find [path]')
    .description('versions by content checksum, save time or kind, newest first (e.g. find --sha256 <hex>, find --since 2026-05-01 --kind auto)')
    .option('--sha256 <hex>', 'versions whose content has this SHA-256')
    .option('--since <date>', 'saved at or after this ISO date/date-time (a date alone: from its start, UTC)')
    .option('--until <date>', 'saved at or before this ISO date/date-time (a date alone: to its end, UTC)')
    .option('--kind <kind>', 'kind of save: manual, pre-change, pre-restore, auto, hook, restore')
    .option('--experiment <id>', 'only versions saved with this experiment id')
    .option('-n, --limit <n>', 'show at most n versions')
    .action(
      action(async (ctx, file: string | undefined, opts: { sha256?: string; since?: string; until?: string; kind?: string; experiment?: string; limit?: string }) => {
        const vault = await ctx.vault();
        const limit = parseLimit(opts.limit);
        if (opts.sha256 === undefined && opts.since === undefined && opts.until === undefined && opts.kind === undefined && opts.experiment === undefined && file === undefined) {
          throw Object.assign(new Error(catalogMsg.findNeedsFilter), { code: 'E_INVALID_ARGUMENT' });
        }
        const versions = await ctx.core.findVersions(vault, {
          cwd: ctx.cwd,
          ...(file !== undefined ? { path: file } : {}),
          ...(opts.sha256 !== undefined ? { sha256: opts.sha256 } : {}),
          ...(opts.since !== undefined ? { since: opts.since } : {}),
          ...(opts.until !== undefined ? { until: opts.until } : {}),
          ...(opts.kind !== undefined ? { kind: opts.kind } : {}),
          ...(opts.experiment !== undefined ? { experiment: opts.experiment } : {}),
          ...(limit ? { limit } : {}),
        });
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, versions });
        if (versions.length === 0) ctx.out.line(catalogMsg.findNone);
        ctx.out.lines(versions.map((v) => msg.logLine(v, ctx.out)));
      }),
    );

  program
    .command('reindex')
    .description('rebuild the catalog (.git/savepoint/catalog.db) from the history branch, the checksum notes and the archive index')
    .action(
      action(async (ctx) => {
        const vault = await ctx.vault();
        const r = await ctx.core.reindex(vault);
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, ...r });
        ctx.out.line(catalogMsg.reindex(r));
      }),
    );
  // ---- end catalog queries ----

  program
    .command('show <address>')
    .description('details of one version: size, sha256, md5, commit, date, tags, experiment, status (e.g. data.csv@3)')
    .action(
      action(async (ctx, address: string) => {
        const vault = await ctx.vault();
        const v = await ctx.core.resolveVersion(vault, address, ctx.cwd);
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, version: v });
        msg.show(v).forEach((l) => ctx.out.line(l));
      }),
    );

  program
    .command('status')
    .description('tracked files: new, modified since the last save, unchanged, missing')
    .option('--copies', 'per version: copies (vault, archives, remotes as of the last push/fetch), media, off-site — the 3-2-1 check')
    .option('--refresh', 'with --copies: ask every remote for its current state first (network)')
    .action(
      action(async (ctx, opts: { copies?: boolean; refresh?: boolean }) => {
        const vault = await ctx.vault();
        const files = await ctx.core.status(vault);
        const pushQueue = await ctx.core.pushQueue(vault);
        const copies = opts.copies ? await ctx.core.copiesStatus(vault, { ...(opts.refresh ? { refresh: true, ...remoteAuthFromEnv(ctx.io.env) } : {}) }) : undefined;
        // health (health/): alerts are evaluated first, so a stale vault is reported by looking at it
        await ctx.core.evaluateAlerts(vault);
        const health = await ctx.core.readHealth(vault, { sizes: ctx.out.json });
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, files, pushQueue, ...(copies ? { copies } : {}), health });
        if (files.length === 0) ctx.out.line(msg.statusEmpty);
        ctx.out.lines(files.map((f) => msg.statusLine(f, ctx.out)));
        remoteMsg.queueLines(pushQueue, ctx.out).forEach((l) => ctx.out.line(l));
        healthMsg.lines(health, ctx.out).forEach((l) => ctx.out.line(l));
        if (copies) {
          ctx.out.line();
          remoteMsg.copiesLines(copies, ctx.out).forEach((l) => ctx.out.line(l));
        }
      }),
    );

  program
    .command('tag <address> [name]')
    .description('annotated tag on a version (default name sp/<path>/v<n>); retention never removes tagged versions')
    .option('-m, --message <text>', 'tag message')
    .action(
      action(async (ctx, address: string, name: string | undefined, opts: { message?: string }) => {
        const vault = await ctx.vault();
        const r = await ctx.core.tagVersion(vault, { address, cwd: ctx.cwd, ...(name ? { name } : {}), ...(opts.message ? { message: opts.message } : {}) });
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, ...r });
        ctx.out.line(msg.tag(r));
      }),
    );

  program
    .command('export')
    .description('write checksums.txt (sha256sum -c format) and manifest.json from the notes')
    .option('-o, --out <dir>', 'folder to write into (default: the vault root)')
    .option('--encrypt', 'write them encrypted (*.enc; key from SAVEPOINT_PASSPHRASE, SAVEPOINT_KEY_FILE or a prompt); read back with `savepoint decrypt`')
    .action(
      action(async (ctx, opts: { out?: string; encrypt?: boolean }) => {
        const vault = await ctx.vault();
        const r = await ctx.core.exportChecksums(vault, { ...(opts.out ? { outDir: path.resolve(ctx.cwd, opts.out) } : {}), ...(opts.encrypt ? { encrypt: true } : {}) });
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, ...r });
        msg.export(r, vault.dir).forEach((l) => ctx.out.line(l));
      }),
    );

  program
    .command('cat <address>')
    .description('write one version to stdout (checked against its sha256)')
    .action(
      action(async (ctx, address: string) => {
        // the output is the file's bytes; a JSON document of them would hold a whole file in memory
        if (ctx.out.json) throw new ctx.core.SavepointError('E_INVALID_ARGUMENT', `cat writes the file's bytes, not JSON. For its details as JSON use \`savepoint show ${address} --json\`; for the bytes, \`savepoint cat ${address} > FILE\`.`, { address });
        const vault = await ctx.vault();
        await ctx.core.catVersion(vault, address, ctx.io.stdout, ctx.cwd);
      }),
    );
}
