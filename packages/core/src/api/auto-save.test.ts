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
    await until(() => events.length === 2);
    expect(events[0]).toMatchObject({ type: 'saved', path: 'd.csv', version: 1 });
    expect(events[1]).toMatchObject({ type: 'after-save', paths: ['d.csv'], report: { ok: true, exports: { status: 'ok' } } });
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
    expect(events.map((e) => e.type)).toEqual(['retry', 'saved', 'after-save']);
  });

  it('runs the after-save pipeline once per burst of saves, after the last one', async () => {
    t = await makeTempVault();
    const events: AutoSaveEvent[] = [];
    const saver = createAutoSaver(t.vault, { debounceMs: 1000, onEvent: (e) => events.push(e) });
    for (const f of ['a.csv', 'b.csv', 'c.csv']) {
      await t.write(f, `x\n${f}\n`);
      saver.notify(f);
    }
    await saver.flush();
    expect(events.map((e) => e.type)).toEqual(['saved', 'saved', 'saved', 'after-save']);
    expect(events[3]).toMatchObject({ paths: ['a.csv', 'b.csv', 'c.csv'], report: { exports: { status: 'ok', result: { files: 3, versions: 3 } } } });
    expect(await fsp.readFile(path.join(t.dir, 'backups', 'checksums.txt'), 'utf8')).toMatch(/ {2}a\.csv\n.* {2}b\.csv\n.* {2}c\.csv\n$/s);
    await saver.close();
  });

  it('"enabled": false pauses automatic saves: one paused event, nothing saved', async () => {
    t = await makeTempVault({ config: { enabled: false } });
    const events: AutoSaveEvent[] = [];
    const saver = createAutoSaver(t.vault, { debounceMs: 1, onEvent: (e) => events.push(e) });
    await t.write('d.csv', 'x\n1\n');
    saver.notify('d.csv');
    saver.notify('d.csv');
    await saver.close();
    expect(events).toEqual([{ type: 'paused', path: 'd.csv', reason: 'savepoint.json has "enabled": false' }]);
    expect(await log(t.vault, {})).toEqual([]);
  });
});
