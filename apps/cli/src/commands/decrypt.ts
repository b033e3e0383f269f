/**
 * decrypt (issue 12 item 4): read back a file Savepoint encrypted — an `export --encrypt` file (`*.enc`) or an
 * encrypted retention archive — with SAVEPOINT_PASSPHRASE / SAVEPOINT_KEY_FILE / a prompt. Every chunk is
 * authenticated before it is written; on any failure the output file is not created (E_DECRYPT).
 */
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Registrar } from '../context.js';
import { keyProviderFromEnv } from '../passphrase.js';
import { cryptoMsg } from '../messages.js';

export function registerDecrypt({ program, action }: Registrar): void {
  program
    .command('decrypt <file>')
    .description('decrypt a file Savepoint encrypted (export --encrypt, encrypted archives) to -o FILE or stdout; key from SAVEPOINT_PASSPHRASE, SAVEPOINT_KEY_FILE or a prompt')
    .option('-o, --out <file>', 'write here (must not exist) instead of stdout')
    .action(
      action(async (ctx, file: string, opts: { out?: string }) => {
        const src = path.resolve(ctx.cwd, file);
        const st = await fsp.stat(src).catch(() => null);
        if (!st || !st.isFile()) throw new ctx.core.SavepointError('E_FILE_NOT_FOUND', cryptoMsg.noSuchFile(src), { file: src });
        const ring = new ctx.core.Keyring(keyProviderFromEnv(ctx.io, ctx.core.SavepointError));
        const dec = ctx.core.createDecryptStream(ring, path.basename(src));
        if (!opts.out) {
          if (ctx.out.json) throw new ctx.core.SavepointError('E_INVALID_ARGUMENT', cryptoMsg.jsonNeedsOut, {});
          await pipeline(createReadStream(src), dec, ctx.io.stdout, { end: false });
          return;
        }
        const dest = path.resolve(ctx.cwd, opts.out);
        if (await fsp.stat(dest).catch(() => null)) throw new ctx.core.SavepointError('E_INVALID_ARGUMENT', cryptoMsg.outExists(dest), { out: dest });
        const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.savepoint-decrypt-${process.pid}`);
        try {
          await pipeline(createReadStream(src), dec, createWriteStream(tmp, { flags: 'wx' }));
          await fsp.rename(tmp, dest);
        } finally {
          await fsp.rm(tmp, { force: true });
        }
        const size = (await fsp.stat(dest)).size;
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, file: src, out: dest, bytes: size });
        ctx.out.line(cryptoMsg.decrypted(src, dest, size));
      }),
    );
}
