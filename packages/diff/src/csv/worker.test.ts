import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readdirSync, statSync } from 'node:fs';
import { diffFiles } from '../diff.js';
import { WORKER_MIN_BYTES } from './source.js';
import { tempDir } from '../test-util/tmp.js';

// The worker-thread scan only runs from the compiled package (dist/, built by `tsc -b`, as `pnpm test` does).
// This test checks it against the in-thread scan used when running from source.
const distIndex = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

let t: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => { t = await tempDir(); });
afterAll(async () => { await t.cleanup(); });

function bigCsv(changeEvery: number, extraRow: boolean): string {
  const rows = ['id,name,value,note'];
  for (let i = 0; i < 250_000; i++) {
    const v = i % changeEvery === 0 && changeEvery > 0 ? `${i}.5` : `${i}`;
    rows.push(`${i},name-${i},${v},"note, ${i % 7}\nsecond line"`);
  }
  if (extraRow) rows.push('999999,new,1,x');
  return rows.join('\n') + '\n';
}

describe.skipIf(!existsSync(distIndex))('worker-thread scan (dist build)', () => {
  it('gives the same result as the in-thread scan, keyed and positional', async () => {
    const a = await t.write('a.csv', bigCsv(0, false));
    const b = await t.write('b.csv', bigCsv(997, true));
    expect(statSync(b).size).toBeGreaterThan(WORKER_MIN_BYTES);
    const dist = (await import(pathToFileURL(distIndex).href)) as { diffFiles: typeof diffFiles };
    for (const opts of [{ key: ['id'] }, {}, { positional: true }]) {
      const inThread = await diffFiles({ path: a }, { path: b }, { name: 'x.csv', ...opts });
      const viaWorker = await dist.diffFiles({ path: a }, { path: b }, { name: 'x.csv', ...opts });
      expect(viaWorker).toEqual(inThread);
      expect(inThread.format === 'csv' && inThread.summary).toMatchObject({ changed: 251, added: 1 });
    }
  });

  it('reports malformed CSV found by the worker with its line', async () => {
    const a = await t.write('ok.csv', bigCsv(0, false));
    const b = await t.write('bad.csv', bigCsv(0, false) + '1,2\n');
    const dist = (await import(pathToFileURL(distIndex).href)) as { diffFiles: typeof diffFiles };
    const err = await dist.diffFiles({ path: a }, { path: b }, { name: 'x.csv', key: ['id'] }).catch((e: unknown) => e) as { code: string; details: { line: number } };
    expect(err.code).toBe('E_CSV_MALFORMED');
    expect(err.details.line).toBe(500_002);
  });

  it.skipIf(process.platform !== 'linux')('a worker started early is used by the scan; one never used is stopped by close()', async () => {
    const a = await t.write('early.csv', bigCsv(0, false));
    const { openCsvSource: open } = (await import(pathToFileURL(fileURLToPath(new URL('../../dist/csv/source.js', import.meta.url))).href)) as typeof import('./source.js');
    const threads = () => readdirSync('/proc/self/task').length;
    const settle = async (want: (n: number) => boolean) => {
      for (let i = 0; i < 100 && !want(threads()); i++) await new Promise((r) => setTimeout(r, 20));
      return threads();
    };
    const dialect = { delimiter: ',', quote: '"' };
    const before = threads();
    const unused = await open(a, 'a', dialect, 4096, { startWorker: true });
    expect(await settle((n) => n > before)).toBeGreaterThan(before);
    unused.close();
    expect(await settle((n) => n <= before)).toBeLessThanOrEqual(before);

    const used = await open(a, 'a', dialect, 4096, { startWorker: true });
    const inThread = await open(a, 'a', dialect, 4096, { noWorker: true });
    const bg = used.scanInBackground!([0], [0, 1, 2, 3], true)!;
    const got = await bg.promise;
    const want: number[] = [];
    await inThread.scan([0], [0, 1, 2, 3], (k1, k2, h1, h2) => { want.push(k1, k2, h1, h2); }, true);
    expect(got.n).toBe(250_000);
    expect([got.kh1[7], got.kh2[7], got.h1[7], got.h2[7]]).toEqual(want.slice(28, 32));
    expect(got.keys?.order).not.toBe(0); // ids 0…249999: increasing (shortest first)
    used.close(); // used already: nothing to stop
  });
});
