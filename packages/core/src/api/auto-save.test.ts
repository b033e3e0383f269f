import { afterEach, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { makeTempVault } from '../testing/temp-vault.js';
import type { TempVault } from '../testing/temp-vault.js';
import { createAutoSaver } from './auto-save.js';
import type { AutoSaveEvent } from './auto-save.js';
import { log } from './query.js';

let t: TempVault;
afterEach(async () => t?.cleanup());

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('auto-saver', () => {
  it('debounces bursts of changes into one save per quiet period', async () => {
    t = await makeTempVault();
    const events: AutoSaveEvent[] = [];
    const saver = createAutoSaver(t.vault, { debounceMs: 50, onEvent: (e) => events.push(e) });
    for (let i = 0; i < 5; i++) {
      await t.write('d.csv', `x\n${i}\n`);
      saver.notify('d.csv');
    }
    await until(() => events.length === 1);
    expect(events[0]).toMatchObject({ type: 'saved', path: 'd.csv', version: 1 });
    await t.write('d.csv', 'x\n9\n');
    saver.notify('d.csv');
    await saver.close();
    const versions = await log(t.vault, { path: 'd.csv' });
    expect(versions.map((v) => [v.version, v.kind, v.source])).toEqual([[2, 'auto', 'watch'], [1, 'auto', 'watch']]);
    expect(await fsp.readFile(path.join(t.dir, 'd.csv'), 'utf8')).toBe('x\n9\n');
  });

  it('retries with backoff and reports failure without throwing', async () => {
    t = await makeTempVault();
    const events: AutoSaveEvent[] = [];
    const saver = createAutoSaver(t.vault, { debounceMs: 1, retries: 2, backoffMs: 5, onEvent: (e) => events.push(e) });
    saver.notify('gone.csv');
    await saver.close();
    expect(events.map((e) => e.type)).toEqual(['retry', 'retry', 'failed']);
    expect(events[1]).toMatchObject({ attempt: 2, delayMs: 10, code: 'E_FILE_NOT_FOUND' });
    expect(events[2]).toMatchObject({ attempts: 3, path: 'gone.csv' });
  });

  it('recovers when the file appears during the retries', async () => {
    t = await makeTempVault();
    const events: AutoSaveEvent[] = [];
    const saver = createAutoSaver(t.vault, {
      debounceMs: 1,
      backoffMs: 20,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'retry') void t.write('late.csv', 'a\n1\n');
      },
    });
    saver.notify('late.csv');
    await saver.close();
    expect(events.map((e) => e.type)).toEqual(['retry', 'saved']);
  });
});
