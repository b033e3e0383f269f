import type { Registrar } from '../context.js';
import { EXIT, exitCodeFor } from '../exit-codes.js';
import { msg } from '../messages.js';
import { remoteAuthFromEnv } from './remote.js';

export function registerVerify({ program, action }: Registrar): void {
  program
    .command('verify [path]')
    .description('re-hash every stored version (and archive) against its checksum note; non-zero exit on any problem')
    .option('--no-mark', 'do not record the verified status in the notes')
    .option('--quick', 'hash each version with sha256 only (faster; see below for what it leaves out)')
    .addHelpText('after', msg.verifyHelp)
    .action(
      action(async (ctx, file: string | undefined, opts: { mark?: boolean; quick?: boolean }) => {
        const vault = await ctx.vault();
        const r = await ctx.core.verify(vault, { cwd: ctx.cwd, onProgress: ctx.onProgress, markNotes: opts.mark !== false, quick: !!opts.quick, ...(file !== undefined ? { path: file } : {}) });
        ctx.out.endProgress();
        if (ctx.out.json) ctx.out.emitJson(r);
        else msg.verify(r, ctx.out).forEach((l) => ctx.out.line(l));
        return r.ok ? EXIT.ok : exitCodeFor('E_VERIFY_FAILED');
      }),
    );

  program
    .command('repair')
    .description('fix damaged stored versions from a good copy on a remote or in an archive (sha1 and sha256 checked first), and rebuild missing or damaged checksum notes from the save commits')
    .option('--dry-run', 'show what would be fixed, write nothing')
    .action(
      action(async (ctx, opts: { dryRun?: boolean }) => {
        const vault = await ctx.vault();
        const r = await ctx.core.repair(vault, { ...remoteAuthFromEnv(ctx.io.env), dryRun: !!opts.dryRun, onProgress: ctx.onProgress });
        ctx.out.endProgress();
        if (ctx.out.json) ctx.out.emitJson(r);
        else msg.repair(r, ctx.out).forEach((l) => ctx.out.line(l));
        return r.ok ? EXIT.ok : exitCodeFor('E_VERIFY_FAILED');
      }),
    );
}
