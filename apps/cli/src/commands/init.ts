import path from 'node:path';
import type { Registrar } from '../context.js';
import { msg } from '../messages.js';

export function registerInit({ program, action }: Registrar): void {
  program
    .command('init [dir]')
    .description('make a vault: a git repository + savepoint.json (inside an existing repo, history goes to the "savepoint" branch)')
    .option('--md5', 'also record an md5 checksum of every save')
    .option('--no-auto-retention', 'do not archive old versions after saves (default: keep the newest 10 of each file, archive older ones)')
    .option('--export-dir <dir>', 'folder kept current with checksums.txt and manifest.json after every save (default: backups)')
    .option('--no-export-dir', 'no export folder')
    .action(
      action(async (ctx, dir: string | undefined, opts: { md5?: boolean; autoRetention: boolean; exportDir?: string | false }) => {
        const r = await ctx.core.initVault({
          dir: path.resolve(ctx.cwd, dir ?? '.'),
          ...(opts.md5 ? { config: { checksum: { md5: true } } } : {}),
          autoRetention: opts.autoRetention,
          ...(opts.exportDir !== undefined ? { exportDir: opts.exportDir } : {}),
        });
        if (ctx.out.json) ctx.out.emitJson({ ok: true, ...r });
        else msg.init(r).forEach((l) => ctx.out.line(l));
      }),
    );
}
