/** Health record and alerts against real temp vaults, a real alert command and a real local HTTP server. */
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { makeTempDir, makeTempVault } from '../testing/temp-vault.js';
import type { TempVault } from '../testing/temp-vault.js';
import { save } from '../api/save.js';
import { verify } from '../api/verify.js';
import { restore } from '../api/restore.js';
import { log } from '../api/query.js';
import { addRemote, removeRemote } from '../remote/config.js';
import { pushRemotes } from '../api/push-many.js';
import type { VaultConfigInput } from '../model/config.js';
import { evaluateAlerts } from './evaluate.js';
import { readHealth, recordOperation, storeSizes } from './record.js';
import { compactObjects } from '../store/compact.js';
import { healthFile } from './store.js';

let t: TempVault | undefined;
let extra: string | undefined;
const servers: http.Server[] = [];
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
  if (extra) await fsp.rm(extra, { recursive: true, force: true });
  extra = undefined;
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/**
 * Make the object store refuse writes. chmod does not stop root, so as root the objects folder is swapped
 * for a plain file (writes fail with ENOTDIR). Returns the undo.
 */
async function breakObjectStore(dir: string): Promise<() => Promise<void>> {
  const objects = path.join(dir, '.git/objects');
  const aside = path.join(dir, '.git/objects-aside');
  await fsp.rename(objects, aside);
  await fsp.writeFile(objects, 'not a folder\n');
  return async () => {
    await fsp.rm(objects, { force: true });
    await fsp.rename(aside, objects);
  };
}

async function withEventsCommand(config: VaultConfigInput = {}): Promise<{ events: () => Promise<any[]> }> {
  extra = await makeTempDir('sp-alerts-');
  const file = path.join(extra, 'events.jsonl');
  t = await makeTempVault({ config: { ...config, alerts: { command: `cat >> '${file}'`, ...config.alerts } } });
  return {
    events: async () => (await fsp.readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => JSON.parse(l)),
  };
}

describe('health record', () => {
  it('records saves (success, backup failure with its code, caller mistake) and the store sizes', async () => {
    t = await makeTempVault();
    await t.write('data.csv', 'a,b\n1,2\n');
    await save(t.vault, { files: ['data.csv'] });
    let h = await readHealth(t.vault);
    expect(h.save).toMatchObject({ ok: true, runs: 1, failures: 0, errorsSinceSuccess: 0 });
    expect(h.save!.durationMs).toBeGreaterThan(0);
    expect(h.saveDurations.count).toBe(1);
    expect(h.sizes!.objectBytes).toBeGreaterThan(0);
    expect(h.sizes!.looseObjects).toBeGreaterThan(0);
    expect(h.ok).toBe(true);

    await t.write('data.csv', 'a,b\n1,2\n3,4\n');
    const undo = await breakObjectStore(t.dir);
    const err = await save(t.vault, { files: ['data.csv'] }).catch((e) => e);
    expect(err.code).toMatch(/^E_/);
    h = await readHealth(t.vault, { sizes: false });
    expect(h.save).toMatchObject({ ok: false, runs: 2, failures: 1, errorsSinceSuccess: 1, error: { code: err.code } });
    expect(h.failingFiles).toEqual([expect.objectContaining({ path: 'data.csv', attempts: 1, error: expect.objectContaining({ code: err.code }) })]);
    expect(h.ok).toBe(false);
    await undo();

    // a typo is the caller's mistake: in the op summary, not a file failing to back up
    await expect(save(t.vault, { files: ['nope.csv'] })).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND' });
    h = await readHealth(t.vault, { sizes: false });
    expect(h.save).toMatchObject({ ok: false, errorsSinceSuccess: 2 });
    expect(h.save!.recentErrors.map((e) => e.code)).toEqual([err.code, 'E_FILE_NOT_FOUND']);
    expect(h.failingFiles.map((f) => f.path)).toEqual(['data.csv']);

    await save(t.vault, { files: ['data.csv'] });
    h = await readHealth(t.vault, { sizes: false });
    expect(h.save).toMatchObject({ ok: true, runs: 4, failures: 2, errorsSinceSuccess: 0, recentErrors: [] });
    expect(h.failingFiles).toEqual([]);
    expect(h.saveDurations.count).toBe(2);
    expect((await log(t.vault, { path: 'data.csv' })).length).toBe(2);
  });

  it('records verify and restore, remembering damaged versions until a clean verify', async () => {
    t = await makeTempVault();
    await t.write('data.csv', 'id\n1\n');
    await save(t.vault, { files: ['data.csv'] });
    await t.write('data.csv', 'id\n1\n2\n');
    await save(t.vault, { files: ['data.csv'] });
    const [v1] = (await log(t.vault, { path: 'data.csv' })).slice(-1);
    const obj = path.join(t.dir, '.git/objects', v1!.blob.slice(0, 2), v1!.blob.slice(2));
    const good = await fsp.readFile(obj);
    const bad = Buffer.from(good);
    bad[bad.length - 10] ^= 0xff;
    await fsp.chmod(obj, 0o644);
    await fsp.writeFile(obj, bad);
    await expect(restore(t.vault, { address: 'data.csv@1' })).rejects.toMatchObject({ code: expect.stringMatching(/E_OBJECT_CORRUPT|E_CHECKSUM_MISMATCH/) });
    let h = await readHealth(t.vault, { sizes: false });
    expect(h.restore).toMatchObject({ ok: false });
    expect(h.badVersions).toEqual([expect.objectContaining({ path: 'data.csv', version: 1, by: 'restore' })]);
    const v = await verify(t.vault);
    expect(v.ok).toBe(false);
    h = await readHealth(t.vault, { sizes: false });
    expect(h.verify).toMatchObject({ ok: false, error: { code: 'E_VERIFY_FAILED' } });
    expect(h.verifyFailures).toBe(1);
    expect(h.badVersions).toEqual([expect.objectContaining({ path: 'data.csv', version: 1, by: 'verify' })]);
    await fsp.writeFile(obj, good);
    await verify(t.vault);
    h = await readHealth(t.vault, { sizes: false });
    expect(h.verify).toMatchObject({ ok: true, runs: 2, failures: 1 });
    expect(h.badVersions).toEqual([]);
    expect(h.verifyFailures).toBe(1);
  });

  it('keeps every record when many writers record at once, and leaves no temp files', async () => {
    t = await makeTempVault();
    await Promise.all(Array.from({ length: 25 }, (_, i) => recordOperation(t!.vault, { op: i % 2 ? 'maintain' : 'push', ok: i % 3 !== 0, startedAt: i % 4 ? new Date() : new Date().toISOString(), durationMs: i, ...(i % 3 === 0 ? { error: { code: 'E_REMOTE_UNREACHABLE', message: 'down' } } : {}) }, { alerts: false })));
    const h = await readHealth(t.vault, { sizes: false });
    expect(h.push!.runs + h.maintain!.runs).toBe(25);
    expect(h.push!.failures + h.maintain!.failures).toBe(9);
    const stored = JSON.parse(await fsp.readFile(healthFile(t.vault.gitdir), 'utf8'));
    expect(stored.ops.push.last.startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await fsp.readdir(path.join(t.vault.gitdir, 'savepoint'))).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'))).toEqual([]);
  });

  it('store sizes stay right through saves and compaction with the per-folder cache', async () => {
    t = await makeTempVault();
    const cache = path.join(t.vault.gitdir, 'savepoint', 'sizes-cache.json');
    const uncached = async () => {
      await fsp.rm(cache, { force: true });
      return storeSizes(t!.vault);
    };
    await t.write('data.csv', 'id\n1\n');
    await save(t.vault, { files: ['data.csv'] });
    const a = await storeSizes(t.vault);
    expect(await storeSizes(t.vault)).toEqual(a);
    await t.write('data.csv', 'id\n1\n2\n');
    await save(t.vault, { files: ['data.csv'] });
    const b = await storeSizes(t.vault);
    expect(b.looseObjects).toBeGreaterThan(a.looseObjects);
    expect(b.objectBytes).toBeGreaterThan(a.objectBytes);
    expect(b).toEqual(await uncached());
    await storeSizes(t.vault);
    await compactObjects({ gitdir: t.vault.gitdir });
    const c = await storeSizes(t.vault);
    expect(c.packs).toBeGreaterThanOrEqual(1);
    expect(c.looseObjects).toBeLessThan(b.looseObjects);
    expect(c).toEqual(await uncached());
  });

  it('a failing file that is gone no longer counts against health', async () => {
    t = await makeTempVault();
    await recordOperation(t.vault, { op: 'save', ok: false, startedAt: new Date(), durationMs: 3, error: { code: 'E_NO_SPACE', message: 'full' }, details: { files: ['gone.csv'] } }, { alerts: false });
    expect((await readHealth(t.vault, { sizes: false })).failingFiles).toEqual([]);
    await t.write('gone.csv', 'back\n');
    expect((await readHealth(t.vault, { sizes: false })).failingFiles).toEqual([expect.objectContaining({ path: 'gone.csv', error: { code: 'E_NO_SPACE', message: 'full' } })]);
  });

  it('takes over a health lock left without a pid by a killed process, once it is old', async () => {
    t = await makeTempVault();
    const lock = path.join(t.vault.gitdir, 'savepoint', 'health.lock');
    await fsp.writeFile(lock, '');
    const old = new Date(Date.now() - 120_000);
    await fsp.utimes(lock, old, old);
    const r = await recordOperation(t.vault, { op: 'maintain', ok: true, startedAt: new Date(), durationMs: 1 }, { alerts: false });
    expect(r.recorded).toBe(true);
    expect((await readHealth(t.vault, { sizes: false })).maintain).toMatchObject({ ok: true, runs: 1 });
  });

  it('skips recording silently when .git/savepoint cannot be written', async () => {
    t = await makeTempVault();
    await fsp.rm(path.join(t.vault.gitdir, 'savepoint'), { recursive: true, force: true });
    await fsp.writeFile(path.join(t.vault.gitdir, 'savepoint'), 'in the way\n');
    const r = await recordOperation(t.vault, { op: 'save', ok: true, startedAt: new Date().toISOString(), durationMs: 1 });
    expect(r.recorded).toBe(false);
    const h = await readHealth(t.vault, { sizes: false });
    expect(h.save).toBeNull();
  });
});

describe('alerts', () => {
  it('runs the command once per failed-save incident with the event on stdin, then a resolved event', async () => {
    const { events } = await withEventsCommand();
    await t!.write('data.csv', 'a\n1\n');
    await save(t!.vault, { files: ['data.csv'] });
    expect(await events()).toEqual([]);
    await t!.write('data.csv', 'a\n1\n2\n');
    const undo = await breakObjectStore(t!.dir);
    const err = await save(t!.vault, { files: ['data.csv'] }).catch((e) => e);
    await save(t!.vault, { files: ['data.csv'] }).catch(() => {});
    let got = await events();
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ schema: 1, event: 'save_failed', alert: 'save_failed', status: 'firing', vault: t!.dir, details: { files: [{ path: 'data.csv', attempts: 1, code: err.code }] } });
    expect((await readHealth(t!.vault, { sizes: false })).failingFiles[0]!.attempts).toBe(2);
    expect((await readHealth(t!.vault, { sizes: false })).alerts.firing.map((f) => f.key)).toEqual(['save_failed']);
    await undo();
    await save(t!.vault, { files: ['data.csv'] });
    got = await events();
    expect(got.map((e) => e.event)).toEqual(['save_failed', 'resolved']);
    expect(got[1]).toMatchObject({ alert: 'save_failed', status: 'resolved', since: got[0].since });
    expect((await readHealth(t!.vault, { sizes: false })).alerts.firing).toEqual([]);
  });

  it('staleAfter: fires once after the quiet period (injected clock) and resolves after the next save', async () => {
    const { events } = await withEventsCommand({ alerts: { staleAfter: '24h' } });
    await t!.write('data.csv', 'a\n1\n');
    await save(t!.vault, { files: ['data.csv'] });
    const at = (hours: number) => () => new Date(Date.now() + hours * 3_600_000);
    await evaluateAlerts(t!.vault, { now: at(23) });
    expect(await events()).toEqual([]);
    const r = await evaluateAlerts(t!.vault, { now: at(25) });
    expect(r.sent.map((s) => [s.event.event, s.channels.map((c) => c.ok)])).toEqual([['stale', [true]]]);
    await evaluateAlerts(t!.vault, { now: at(30) });
    expect((await events()).map((e) => e.event)).toEqual(['stale']);
    await t!.write('data.csv', 'a\n2\n');
    await save(t!.vault, { files: ['data.csv'] });
    expect((await events()).map((e) => [e.event, e.alert])).toEqual([['stale', 'stale'], ['resolved', 'stale']]);
  });

  it('POSTs events to a webhook (a real local server); a failing webhook never fails the operation and is retried; its URL is never shown', async () => {
    const bodies: any[] = [];
    const auth: (string | undefined)[] = [];
    let status = 500;
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        auth.push(req.headers.authorization);
        if (status === 200) bodies.push({ url: req.url, type: req.headers['content-type'], json: JSON.parse(body) });
        res.statusCode = status;
        res.end();
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    t = await makeTempVault({ config: { alerts: { webhook: `http://alice:s3cret@127.0.0.1:${port}/hooks/tok3n` } } });
    await t.write('data.csv', 'id\n1\n');
    await save(t.vault, { files: ['data.csv'] });
    const [v1] = await log(t.vault, { path: 'data.csv' });
    const obj = path.join(t.dir, '.git/objects', v1!.blob.slice(0, 2), v1!.blob.slice(2));
    const bad = await fsp.readFile(obj);
    bad[bad.length - 10] ^= 0xff;
    await fsp.chmod(obj, 0o644);
    await fsp.writeFile(obj, bad);
    const v = await verify(t.vault); // the webhook answers 500: the verify result stands
    expect(v.ok).toBe(false);
    let h = await readHealth(t.vault, { sizes: false });
    expect(h.alerts.lastDeliveryError).toMatchObject({ channel: 'webhook', message: expect.stringContaining('HTTP 500') });
    expect(JSON.stringify(h)).not.toMatch(/s3cret|tok3n|alice/);
    status = 200;
    await evaluateAlerts(t.vault);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatchObject({ url: '/hooks/tok3n', type: 'application/json', json: { event: 'corrupt_version', status: 'firing', details: { versions: [{ path: 'data.csv', version: 1 }] } } });
    expect(auth.at(-1)).toBe(`Basic ${Buffer.from('alice:s3cret').toString('base64')}`);
    await evaluateAlerts(t.vault);
    expect(bodies).toHaveLength(1);
  });

  it('a webhook that is down, or a command that fails, never fails the save', async () => {
    extra = await makeTempDir('sp-alerts-');
    t = await makeTempVault({ config: { alerts: { command: 'exit 3', webhook: 'http://127.0.0.1:9/x' } } });
    await t.write('data.csv', 'id\n1\n');
    const undo = await breakObjectStore(t.dir);
    await expect(save(t.vault, { files: ['data.csv'] })).rejects.toMatchObject({ code: expect.stringMatching(/^E_/) });
    await undo();
    const r = await save(t.vault, { files: ['data.csv'] });
    expect(r.files[0]!.status).toBe('saved');
    const h = await readHealth(t.vault, { sizes: false });
    expect(h.alerts.lastDeliveryError).toBeDefined();
  });

  it('disk_full: fires while free space is below minFreeBytes, resolves when it is not', async () => {
    const { events } = await withEventsCommand({ alerts: { minFreeBytes: Number.MAX_SAFE_INTEGER } });
    await t!.write('data.csv', 'id\n1\n');
    await save(t!.vault, { files: ['data.csv'] });
    await evaluateAlerts(t!.vault);
    let got = await events();
    expect(got.map((e) => e.event)).toEqual(['disk_full']);
    expect(got[0].details.freeBytes).toBeGreaterThan(0);
    t!.vault.config.alerts!.minFreeBytes = 1;
    await evaluateAlerts(t!.vault);
    got = await events();
    expect(got.map((e) => [e.event, e.alert])).toEqual([['disk_full', 'disk_full'], ['resolved', 'disk_full']]);
  });

  it('remote_failing: an unreachable remote opens one incident per remote; removing the remote closes it', async () => {
    const { events } = await withEventsCommand();
    await t!.write('data.csv', 'id\n1\n');
    await save(t!.vault, { files: ['data.csv'] });
    await addRemote(t!.vault, { name: 'nas', url: 'http://127.0.0.1:9/lab.git', media: 'nas', autoPush: true });
    const vault = await t!.reopen();
    const out = await pushRemotes(vault, { auto: true });
    expect(out[0]).toMatchObject({ ok: false, queued: true });
    await pushRemotes(vault, { remotes: ['nas'] });
    let h = await readHealth(vault, { sizes: false });
    expect(h.push).toMatchObject({ ok: false, runs: 2, errorsSinceSuccess: 2 });
    expect(h.remotes.nas).toMatchObject({ ok: false, error: { code: out[0]!.error!.code } });
    expect((await events()).map((e) => [e.event, e.key])).toEqual([['remote_failing', 'remote_failing:nas']]);
    await removeRemote(vault, 'nas');
    await evaluateAlerts(await t!.reopen());
    expect((await events()).map((e) => [e.event, e.key])).toEqual([['remote_failing', 'remote_failing:nas'], ['resolved', 'remote_failing:nas']]);
  });
});
