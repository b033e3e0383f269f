/** `savepoint diff`: what changed in the data between two versions (or a version and the working file). */
import type { Endpoint } from '@savepoint/core';
import type { Registrar } from '../context.js';

/** `data.csv` → latest vs working; `data.csv@2` → v2 vs working; `data.csv@2 @5` or `data.csv@2 data.csv@5` → v2 vs v5. */
export function diffEndpoints(first: string, second: string | undefined): [Endpoint, Endpoint] {
  const at = first.lastIndexOf('@');
  const path = at > 0 ? first.slice(0, at) : first;
  const a: Endpoint = { kind: 'version', address: at > 0 ? first : `${first}@latest` };
  if (second === undefined) return [a, { kind: 'working', path }];
  return [a, { kind: 'version', address: second.startsWith('@') ? `${path}${second}` : second }];
}

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
    .action(
      action(async (ctx, first: string, second: string | undefined, opts: { stat?: boolean; key?: string; positional?: boolean; tolerance?: string; limit: string; exitCode?: boolean }) => {
        const vault = await ctx.vault();
        const limit = Number(opts.limit);
        const tolerance = opts.tolerance === undefined ? undefined : Number(opts.tolerance);
        if (!Number.isInteger(limit) || limit < 1) throw new ctx.core.SavepointError('E_INVALID_ARGUMENT', `--limit must be a whole number ≥ 1 (got "${opts.limit}").`);
        if (tolerance !== undefined && !(tolerance >= 0)) throw new ctx.core.SavepointError('E_INVALID_ARGUMENT', `--tolerance must be a number ≥ 0 (got "${opts.tolerance}").`);
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
