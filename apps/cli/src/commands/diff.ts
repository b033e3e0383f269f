/** `savepoint diff`: what changed in the data between two versions (or a version and the working file). */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Endpoint, StateChange } from '@savepoint/core';
import type { CommandContext, Registrar } from '../context.js';
import { msg, usageMsg } from '../messages.js';

/** `data.csv` → latest vs working; `data.csv@2` → v2 vs working; `data.csv@2 @5` or `data.csv@2 data.csv@5` → v2 vs v5. */
export function diffEndpoints(first: string, second: string | undefined): [Endpoint, Endpoint] {
  const at = first.lastIndexOf('@');
  const path = at > 0 ? first.slice(0, at) : first;
  const a: Endpoint = { kind: 'version', address: at > 0 ? first : `${first}@latest` };
  if (second === undefined) return [a, { kind: 'working', path }];
  return [a, { kind: 'version', address: second.startsWith('@') ? `${path}${second}` : second }];
}

// --- issue 14 item 4: `diff --all @tag1 [@tag2]`: every tracked file between two moments (default: the working files)
interface AllOpts {
  stat?: boolean;
  exitCode?: boolean;
}

async function diffAll(ctx: CommandContext, first: string, second: string | undefined, opts: AllOpts): Promise<number> {
  const vault = await ctx.vault();
  const history = await ctx.core.loadHistory(vault);
  const a = ctx.core.vaultStateAt(history, first);
  let changes: StateChange[];
  let working: Set<string> | null = null;
  if (second !== undefined) changes = ctx.core.compareStates(a, ctx.core.vaultStateAt(history, second));
  else {
    // the working files: a tracked path whose file is gone counts as removed; content compared by sha256
    const tracked = [...new Set(history.versions.map((v) => v.path))].sort();
    working = new Set<string>();
    changes = [];
    for (const p of tracked) {
      const abs = path.join(vault.dir, p);
      const st = await fsp.stat(abs).catch(() => null);
      const from = a.get(p);
      if (!st?.isFile()) {
        if (from) changes.push({ path: p, status: 'removed', from });
        continue;
      }
      working.add(p);
      const sha = await new Promise<string>((resolve, reject) => {
        const h = createHash('sha256');
        createReadStream(abs).on('data', (d) => h.update(d)).on('error', reject).on('end', () => resolve(h.digest('hex')));
      });
      changes.push(from ? { path: p, status: from.sha256 === sha ? 'unchanged' : 'changed', from } : { path: p, status: 'added' });
    }
  }
  const diff = await import('@savepoint/diff');
  const files: { path: string; status: StateChange['status']; from?: number; to?: number | 'working'; format?: string; summary?: unknown; identical?: boolean }[] = [];
  const lines: string[] = [];
  for (const c of changes) {
    const toRef = working ? (c.status === 'removed' ? undefined : 'working' as const) : c.to?.version;
    const entry: (typeof files)[number] = { path: c.path, status: c.status, ...(c.from ? { from: c.from.version } : {}), ...(toRef !== undefined ? { to: toRef } : {}) };
    if (c.status === 'changed') {
      const ends: [Endpoint, Endpoint] = [{ kind: 'version', address: `${c.path}@${c.from!.version}` }, working ? { kind: 'working', path: c.path } : { kind: 'version', address: `${c.path}@${c.to!.version}` }];
      const r = await ctx.core.withMaterialized(vault, ends, vault.dir, ([x, y]) => diff.diffFiles({ path: x!.file, label: x!.label }, { path: y!.file, label: y!.label }, { name: c.path, limit: 1 }));
      entry.format = r.format;
      entry.summary = r.summary;
      entry.identical = r.identical;
      if (!ctx.out.json) {
        lines.push(`${ctx.out.c.yellow('changed')}  ${c.path}  v${c.from!.version} → ${working ? 'working file' : `v${c.to!.version}`}`);
        for (const l of diff.renderDiff(r, { color: ctx.out.color, limit: 1, stat: true })) lines.push(`    ${l}`);
      }
    } else if (!ctx.out.json && c.status !== 'unchanged') {
      const label = c.status === 'added' ? ctx.out.c.green('added  ') : ctx.out.c.red('removed');
      lines.push(`${label}  ${c.path}  ${c.status === 'added' ? (working ? '(working file, no version then)' : `v${c.to!.version}`) : `v${c.from!.version}${working ? ' (no working file)' : ''}`}`);
    }
    files.push(entry);
  }
  const n = (s: StateChange['status']) => files.filter((f) => f.status === s).length;
  const counts = { added: n('added'), removed: n('removed'), changed: n('changed'), unchanged: n('unchanged') };
  if (ctx.out.json) ctx.out.emitJson({ ok: true, from: first, to: second ?? 'working', files, counts });
  else {
    lines.forEach((l) => ctx.out.line(l));
    ctx.out.line(msg.diffAllSummary(first, second, counts));
  }
  return opts.exitCode && counts.added + counts.removed + counts.changed > 0 ? 1 : 0;
}
// ---

export function registerDiff({ program, action }: Registrar): void {
  program
    .command('diff <address> [other]')
    .description('what changed in the data: rows/cells (CSV, TSV, XLSX), keys (JSON), tables (SQLite), lines (text), byte ranges (binary). Default: latest save vs working file')
    .option('--stat', 'only the summary counts')
    .option('-k, --key <cols>', 'match rows by these key columns (comma-separated)')
    .option('--positional', 'match rows by position even when a unique key column exists')
    .option('--tolerance <x>', 'numbers within this absolute difference are equal')
    .option('-n, --limit <n>', 'show at most n changes (counts stay exact)', '50')
    .option('--exit-code', 'exit 1 when there are differences (like git diff --exit-code)')
    .option('--all', 'every tracked file between two moments: diff --all @tag1 @tag2 (or @2026-05-01, a commit; one moment = against the working files)')
    .action(
      action(async (ctx, first: string, second: string | undefined, opts: { stat?: boolean; key?: string; positional?: boolean; tolerance?: string; limit: string; exitCode?: boolean; all?: boolean }) => {
        if (opts.all) return diffAll(ctx, first, second, opts);
        const vault = await ctx.vault();
        const limit = Number(opts.limit);
        const tolerance = opts.tolerance === undefined ? undefined : Number(opts.tolerance);
        if (!Number.isInteger(limit) || limit < 1) throw new ctx.core.SavepointError('E_INVALID_ARGUMENT', usageMsg.wholeNumberAtLeast1('limit', String(opts.limit)));
        if (tolerance !== undefined && !(tolerance >= 0)) throw new ctx.core.SavepointError('E_INVALID_ARGUMENT', usageMsg.nonNegative('tolerance', String(opts.tolerance)));
        const diff = await import('@savepoint/diff');
        const result = await ctx.core.withMaterialized(vault, diffEndpoints(first, second), ctx.cwd, ([a, b]) =>
          diff.diffFiles({ path: a!.file, label: a!.label }, { path: b!.file, label: b!.label }, {
            name: b!.path,
            limit: ctx.out.json ? Math.max(limit, 1000) : limit,
            ...(opts.key ? { key: opts.key.split(',').map((k) => k.trim()).filter(Boolean) } : {}),
            ...(opts.positional ? { positional: true } : {}),
            ...(tolerance !== undefined ? { tolerance } : {}),
          }),
        );
        if (ctx.out.json) ctx.out.emitJson({ ok: true, ...result });
        else for (const line of diff.renderDiff(result, { color: ctx.out.color, limit, ...(opts.stat ? { stat: true } : {}) })) ctx.out.line(line);
        return opts.exitCode && !result.identical ? 1 : 0;
      }),
    );
}
