import type { Registrar } from '../context.js';
import type { Core } from '../context.js';
import { msg, retentionMsg } from '../messages.js';
import { remoteAuthFromEnv, reportPushOutcomes } from './remote.js';
import { autoRetention } from './retention.js';

/** The same validators the pre-commit hook uses (one parser per format, from @savepoint/diff). */
function validateWithDiff(core: Core) {
  return async (abs: string, rel: string): Promise<void> => {
    const { stat } = await import('node:fs/promises');
    if ((await stat(abs)).size === 0) {
      throw new core.SavepointError('E_VALIDATION_FAILED', `${rel} is empty (0 bytes). Check the file was fully written, or save without --check to keep an empty version.`, { path: rel, format: 'empty', problems: [] });
    }
    const { validateDataFile } = await import('@savepoint/diff');
    const r = await validateDataFile(abs, { name: rel });
    if (!r.ok) {
      const first = r.problems[0];
      throw new core.SavepointError('E_VALIDATION_FAILED', `${rel} is not valid ${r.format}${first ? `: ${first.line ? `line ${first.line}: ` : ''}${first.message}` : ''}. Fix it, or save without --check to keep it as it is.`, { path: rel, format: r.format, problems: r.problems });
    }
  };
}

export function registerSave({ program, action }: Registrar): void {
  program
    .command('save <files...>')
    .description('save new versions of data files (several files = one save)')
    .option('-m, --message <text>', 'what changed (first line = summary)')
    .option('-e, --experiment <id>', 'link the save to an experiment id')
    .option('-t, --tag <name>', 'also tag this save (annotated tag)')
    .option('-f, --force', 'save even when the content equals the latest version')
    .option('--keep <rule>', 'retention hint: permanent, pre-change or days:N')
    .option('--check', 'refuse files that do not parse (CSV column counts, JSON, XLSX, SQLite integrity) before saving')
    .action(
      action(async (ctx, files: string[], opts: { message?: string; experiment?: string; tag?: string; force?: boolean; keep?: string; check?: boolean }) => {
        const vault = await ctx.vault();
        const r = await ctx.core.save(vault, {
          files,
          cwd: ctx.cwd,
          source: 'cli',
          onProgress: ctx.onProgress,
          ...(opts.message !== undefined ? { message: opts.message } : {}),
          ...(opts.experiment !== undefined ? { experiment: opts.experiment } : {}),
          ...(opts.tag !== undefined ? { tag: opts.tag } : {}),
          ...(opts.force ? { force: true } : {}),
          ...(opts.keep !== undefined ? { keep: opts.keep } : {}),
          ...(opts.check ? { validate: validateWithDiff(ctx.core) } : {}),
        });
        ctx.out.endProgress();
        // after-save steps, in this order so a push sends already-retained history; none of them can fail the save
        // retention.auto: apply the configured policy; a failure is a warning on stderr
        const retention = r.commit ? await autoRetention(ctx, vault) : null;
        // auto-push (configured remotes + queued retries); a failed push is queued and reported
        const pushes = await ctx.core.autoPush(vault, { ...remoteAuthFromEnv(ctx.io.env), onProgress: ctx.onProgress }).catch((e: unknown) => [
          { remote: '*', ok: false, queued: false, error: { code: (e as { code?: string }).code ?? 'E_INTERNAL', message: ctx.core.redactText(String((e as Error)?.message ?? e)), details: {} } },
        ]);
        ctx.out.endProgress();
        // autoCompactBytes: pack loose objects once they exceed the configured size
        const compacted = r.commit && vault.config.autoCompactBytes > 0
          ? await ctx.core.autoCompact({ gitdir: vault.gitdir, maxLooseBytes: vault.config.autoCompactBytes, onProgress: ctx.onProgress }).catch((e: unknown) => {
              ctx.out.warn(msg.autoCompactFailed((e as { code?: string }).code ?? 'E_INTERNAL', (e as Error).message));
              return null;
            })
          : null;
        ctx.out.endProgress();
        if (ctx.out.json) ctx.out.emitJson({ ok: true, ...r, ...(pushes.length ? { push: pushes } : {}), ...(retention ? { retention } : {}), ...(compacted ? { compacted } : {}) });
        else {
          msg.save(r, ctx.out).forEach((l) => ctx.out.line(l));
          for (const f of r.files) if (f.status === 'saved' && f.size === 0) ctx.out.warn(msg.emptySaved(f.path, f.version));
          if (retention?.archived) ctx.out.line(ctx.out.c.dim(retentionMsg.autoApplied(retention.archived, retention.archives ?? [])));
          reportPushOutcomes(ctx, pushes, { warnOnly: true });
          if (compacted && compacted.packedObjects) ctx.out.line(ctx.out.c.dim(msg.compact({ count: 0, bytes: 0 }, compacted)));
        }
      }),
    );
}
