/**
 * Retention and archives: `retention plan|apply|expiring`, `archive list|verify`. Core computes every plan;
 * this file only parses flags, prints, and asks before applying.
 */
import type { Command } from 'commander';
import type { RetentionOverrides } from '@savepoint/core';
import type { CommandContext, Registrar } from '../context.js';
import { EXIT, exitCodeFor } from '../exit-codes.js';
import { msg, retentionMsg, usageMsg } from '../messages.js';

interface PolicyFlags {
  keepLast?: string;
  keepWithin?: string;
  daily?: string;
  weekly?: string;
  monthly?: string;
  yearly?: string;
  expireArchives?: string;
}

function policyOptions(cmd: Command): Command {
  return cmd
    .option('--keep-last <n>', 'keep the newest N versions of every file (default: retention.keepLast, else maxVersions)')
    .option('--keep-within <duration>', 'keep every version saved within this time, e.g. 30d, 12h, 8w, 6m, 1y')
    .option('--daily <n>', 'keep the newest version of each of the last N days')
    .option('--weekly <n>', 'keep the newest version of each of the last N weeks')
    .option('--monthly <n>', 'keep the newest version of each of the last N months')
    .option('--yearly <n>', 'keep the newest version of each of the last N years')
    .option('--expire-archives <duration>', 'delete archives older than this (off unless given or configured)');
}

function count(ctx: CommandContext, flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text)) throw new ctx.core.SavepointError('E_INVALID_ARGUMENT', usageMsg.wholeNumber(flag, text), { [flag]: text });
  return Number(text);
}

function overrides(ctx: CommandContext, f: PolicyFlags): RetentionOverrides {
  const o: RetentionOverrides = {};
  const keepLast = count(ctx, 'keep-last', f.keepLast);
  if (keepLast !== undefined) o.keepLast = keepLast;
  if (f.keepWithin !== undefined) o.keepWithin = f.keepWithin;
  for (const k of ['daily', 'weekly', 'monthly', 'yearly'] as const) {
    const v = count(ctx, k, f[k]);
    if (v !== undefined) o[k] = v;
  }
  if (f.expireArchives !== undefined) o.expireArchivesAfter = f.expireArchives;
  return o;
}

async function ask(ctx: CommandContext, question: string): Promise<boolean> {
  // loaded here, not at the top: node:readline (and readline/promises with it) is a few ms of every command's start
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: ctx.io.stdin, output: ctx.io.stderr });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.question(question, resolve);
      rl.once('close', () => resolve(''));
    });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export function registerRetention({ program, action }: Registrar): void {
  const retention = program.command('retention').description('decide which old versions move into archives (plan, apply, expiring)');

  policyOptions(retention.command('plan'))
    .description('show what retention would keep, archive or delete, why, and the bytes it frees (changes nothing)')
    .option('--all', 'also list versions that are already archived')
    .action(
      action(async (ctx, opts: PolicyFlags & { all?: boolean }) => {
        const vault = await ctx.vault();
        const plan = await ctx.core.planVaultRetention(vault, { overrides: overrides(ctx, opts) });
        if (ctx.out.json) ctx.out.emitJson(plan);
        else retentionMsg.plan(plan, ctx.out, !!opts.all).forEach((l) => ctx.out.line(l));
      }),
    );

  policyOptions(retention.command('apply'))
    .description('archive (and, if configured, delete) exactly the plan shown; asks first unless --yes')
    .option('-y, --yes', 'apply without asking (required when not on a terminal)')
    .option('--all', 'also list versions that are already archived')
    .action(
      action(async (ctx, opts: PolicyFlags & { yes?: boolean; all?: boolean }) => {
        const vault = await ctx.vault();
        const plan = await ctx.core.planVaultRetention(vault, { overrides: overrides(ctx, opts) });
        const interactive = !ctx.out.json && !!ctx.io.stdin.isTTY && !!ctx.io.stdout.isTTY;
        const work = plan.counts.archive + plan.counts.delete;
        if (!ctx.out.json) retentionMsg.plan(plan, ctx.out, !!opts.all).forEach((l) => ctx.out.line(l));
        if (work > 0 && !opts.yes) {
          if (!interactive) throw new ctx.core.SavepointError('E_INVALID_ARGUMENT', retentionMsg.needYes, { archive: plan.counts.archive, delete: plan.counts.delete });
          if (!(await ask(ctx, retentionMsg.confirm))) {
            ctx.out.line(retentionMsg.declined);
            return EXIT.ok;
          }
        }
        const result = await ctx.core.applyRetention(vault, plan, { onProgress: ctx.onProgress });
        ctx.out.endProgress();
        if (ctx.out.json) ctx.out.emitJson({ ok: true, plan, result });
        else {
          retentionMsg.applied(result, ctx.out).forEach((l) => ctx.out.line(l));
          result.warnings.forEach((w) => ctx.out.warn(retentionMsg.warning(w)));
        }
      }),
    );

  policyOptions(retention.command('expiring'))
    .description('list versions kept today that the policy would archive within a time window (no new saves assumed)')
    .option('--within <duration>', 'the window, e.g. 7d', '7d')
    .action(
      action(async (ctx, opts: PolicyFlags & { within: string }) => {
        const vault = await ctx.vault();
        const r = await ctx.core.expiringVersions(vault, opts.within, { overrides: overrides(ctx, opts) });
        if (ctx.out.json) ctx.out.emitJson(r);
        else retentionMsg.expiring(r, ctx.out).forEach((l) => ctx.out.line(l));
      }),
    );
}

export function registerArchive({ program, action }: Registrar): void {
  const archive = program.command('archive').description('archives written by retention: list and verify them; `archive <address>` (or `archive add <address>`) archives one version by hand');

  // issue 14 item 5: `archive data.csv@3` — the parent's own action runs when the first word is not a subcommand
  // name (list, verify, add); a file literally named "list" is archived with `archive add list@3`.
  const archiveOne = action(async (ctx, address: string, opts: { force?: boolean }) => {
    const vault = await ctx.vault();
    const r = await ctx.core.archiveVersion(vault, { address, cwd: ctx.cwd, onProgress: ctx.onProgress, ...(opts.force ? { force: true } : {}) });
    ctx.out.endProgress();
    if (ctx.out.json) ctx.out.emitJson({ ok: true, ...r });
    else {
      retentionMsg.archivedOne(r).forEach((l) => ctx.out.line(l));
      r.result?.warnings.forEach((w) => ctx.out.warn(retentionMsg.warning(w)));
    }
  });
  archive
    .argument('[address]', 'a version to archive by hand, e.g. data.csv@3')
    .option('-f, --force', 'archive a tagged or permanent version too (never the latest)')
    .action(async (address: string | undefined, opts: { force?: boolean }, cmd: Command) => {
      // no address and no subcommand: help on stderr and a usage error, like every command group
      if (address === undefined) archive.help({ error: true });
      await archiveOne(address, opts, cmd);
    });
  archive
    .command('add <address>')
    .description('move one version (never the latest; tagged or permanent ones only with --force) into an archive, through the same crash-safe path as retention; it stays listed and restorable')
    .option('-f, --force', 'archive a tagged or permanent version too (never the latest)')
    // the parent `archive` also takes --force (for `archive <address> --force`); commander gives it to the parent
    .action((address: string, opts: { force?: boolean }, cmd: Command) => archiveOne(address, { force: !!(opts.force || (archive.opts() as { force?: boolean }).force) }, cmd));

  archive
    .command('list')
    .description('list archives, their checksums and the versions they hold')
    .action(
      action(async (ctx) => {
        const vault = await ctx.vault();
        const list = await ctx.core.listArchives(vault);
        if (ctx.out.json) ctx.out.emitJson({ archives: list });
        else retentionMsg.archiveList(list, ctx.out).forEach((l) => ctx.out.line(l));
      }),
    );

  archive
    .command('verify')
    .description('unpack every archive, check its checksum, bundle and pack, and re-hash each version; non-zero exit on any problem')
    .action(
      action(async (ctx) => {
        const vault = await ctx.vault();
        const history = await ctx.core.loadHistory(vault);
        const archived = history.versions.filter((v) => v.archive);
        const items = await ctx.core.verifyArchivedVersions(vault, archived, ctx.onProgress);
        ctx.out.endProgress();
        const n = (s: string) => items.filter((i) => i.status === s).length;
        const r = { verified: n('verified'), corrupted: n('corrupted'), missing: n('missing'), unnoted: 0, bytes: archived.reduce((x, v) => x + Math.max(0, v.size), 0), items, packs: [], ok: n('corrupted') + n('missing') === 0 };
        if (ctx.out.json) ctx.out.emitJson(r);
        else msg.verify(r, ctx.out).forEach((l) => ctx.out.line(l));
        return r.ok ? EXIT.ok : exitCodeFor('E_VERIFY_FAILED');
      }),
    );
}
