/**
 * Health, metrics and alerts through the built CLI: `metrics` parsed by a strict Prometheus text parser,
 * `metrics --serve` scraped over real HTTP, and a real `watch` process facing an object store that refuses
 * writes while another process keeps writing the file.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { BIN, CLI_ENV, cleanEnv, sp, spawnJsonLines, tempDir } from './helpers/cli.js';
import { parsePrometheusText, sampleValue } from './helpers/prom-text.js';

const roots: string[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const r of roots) await fsp.rm(r, { recursive: true, force: true });
});

async function newVault(config: Record<string, unknown> = {}): Promise<{ root: string; vault: string }> {
  const root = await tempDir();
  roots.push(root);
  const vault = path.join(root, 'v');
  expect(sp(root, ['init', 'v']).code).toBe(0);
  if (Object.keys(config).length) {
    const file = path.join(vault, 'savepoint.json');
    await fsp.writeFile(file, JSON.stringify({ ...JSON.parse(await fsp.readFile(file, 'utf8')), ...config }, null, 2) + '\n');
  }
  return { root, vault };
}

function get(url: string): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    }).on('error', reject);
  });
}

/** The CLI as a JSON-lines child (killed after each test); waitFor resolves with the matching event. */
function jsonChild(args: string[], cwd: string) {
  const c = spawnJsonLines(cwd, args);
  children.push(c.child);
  return { ...c, waitFor: async (pred: (e: any) => boolean, ms?: number) => (await c.waitFor(pred, ms)).e };
}

/**
 * Make the object store refuse writes: read-only folders for a normal user; as root (chmod does not stop
 * root) the objects folder is swapped for a plain file. Returns the undo.
 */
async function breakObjectStore(vault: string): Promise<() => Promise<void>> {
  const objects = path.join(vault, '.git/objects');
  if (process.getuid && process.getuid() !== 0) {
    const dirs = [objects, ...(await fsp.readdir(objects)).map((d) => path.join(objects, d))];
    for (const d of dirs) await fsp.chmod(d, 0o555);
    return async () => {
      for (const d of dirs) await fsp.chmod(d, 0o755);
    };
  }
  const aside = path.join(vault, '.git/objects-aside');
  await fsp.rename(objects, aside);
  await fsp.writeFile(objects, 'not a folder\n');
  return async () => {
    await fsp.rm(objects, { force: true });
    await fsp.rename(aside, objects);
  };
}

describe('the Prometheus text parser used here', () => {
  it('rejects what Prometheus would reject', () => {
    const ok = '# HELP a_total things\n# TYPE a_total counter\na_total{x="q\\"uote\\\\"} 3\n';
    expect(sampleValue(parsePrometheusText(ok), 'a_total', { x: 'q"uote\\' })).toBe(3);
    for (const bad of [
      'a 1\n', // no HELP/TYPE
      '# HELP a x\n# TYPE a gauge\na{x="1"} 1\na{x="1"} 2\n', // repeated series
      '# HELP a x\n# TYPE a gauge\na{x="\\q"} 1\n', // bad escape
      '# HELP a x\n# TYPE a gauge\nb 1\n', // foreign sample
      '# HELP h x\n# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n', // not cumulative
      '# HELP h x\n# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n', // +Inf != count
      '# HELP a x\n# TYPE a gauge\na 1', // no final newline
    ]) expect(() => parsePrometheusText(bad)).toThrow();
  });
});

describe('savepoint metrics', () => {
  it('prints well-formed Prometheus text with the vault\'s figures', async () => {
    const { vault } = await newVault();
    const odd = 'we"ird\\name.csv';
    await fsp.writeFile(path.join(vault, 'data.csv'), 'a,b\n1,2\n');
    await fsp.writeFile(path.join(vault, odd), 'x\n1\n');
    expect(sp(vault, ['save', 'data.csv', odd]).code).toBe(0);
    await fsp.appendFile(path.join(vault, 'data.csv'), '3,4\n');
    expect(sp(vault, ['save', 'data.csv']).code).toBe(0);
    expect(sp(vault, ['verify']).code).toBe(0);
    const r = sp(vault, ['metrics']);
    expect(r.code).toBe(0);
    const m = parsePrometheusText(r.stdout);
    const log = sp(vault, ['log', '--json']).json.versions;
    const latest = log.find((v: any) => v.path === 'data.csv' && v.version === 2);
    expect(sampleValue(m, 'savepoint_last_save_timestamp_seconds', { path: 'data.csv' })).toBe(Date.parse(latest.savedAt) / 1000);
    expect(sampleValue(m, 'savepoint_versions', { path: 'data.csv' })).toBe(2);
    expect(sampleValue(m, 'savepoint_versions', { path: odd })).toBe(1);
    expect(m.get('savepoint_save_duration_seconds')!.type).toBe('histogram');
    expect(sampleValue(m, 'savepoint_save_duration_seconds', {}, 'savepoint_save_duration_seconds_count')).toBe(2);
    expect(sampleValue(m, 'savepoint_save_duration_seconds', {}, 'savepoint_save_duration_seconds_sum')).toBeGreaterThan(0);
    expect(sampleValue(m, 'savepoint_stored_bytes', { store: 'objects' })).toBeGreaterThan(0);
    expect(sampleValue(m, 'savepoint_operations_total', { op: 'save' })).toBe(2);
    expect(sampleValue(m, 'savepoint_operations_total', { op: 'verify' })).toBe(1);
    expect(sampleValue(m, 'savepoint_verify_failures_total')).toBe(0);
    expect(sampleValue(m, 'savepoint_push_queue_length')).toBe(0);
    expect(sampleValue(m, 'savepoint_321_ok')).toBe(0);
    expect(sampleValue(m, 'savepoint_321_versions', { verdict: 'not_met' })).toBe(3);
    expect(m.get('savepoint_verify_failures_total')!.type).toBe('counter');
    const j = sp(vault, ['metrics', '--json']);
    expect(j.code).toBe(0);
    expect(j.json.metrics.find((x: any) => x.name === 'savepoint_versions').values).toHaveLength(2);
    expect(sp(vault, ['metrics', '--serve', 'nonsense', '--json']).json.error.code).toBe('E_INVALID_ARGUMENT');
  });

  it('--serve answers scrapes over HTTP with fresh figures and stops cleanly on SIGTERM', async () => {
    const { vault } = await newVault();
    await fsp.writeFile(path.join(vault, 'data.csv'), 'a\n1\n');
    expect(sp(vault, ['save', 'data.csv']).code).toBe(0);
    const s = jsonChild(['metrics', '--serve', '127.0.0.1:0', '--json'], vault);
    const { url } = await s.waitFor((e) => e.type === 'listening');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const first = await get(url);
    expect(first.status).toBe(200);
    expect(first.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sampleValue(parsePrometheusText(first.body), 'savepoint_versions', { path: 'data.csv' })).toBe(1);
    await fsp.appendFile(path.join(vault, 'data.csv'), '2\n');
    expect(sp(vault, ['save', 'data.csv']).code).toBe(0);
    const second = parsePrometheusText((await get(url)).body);
    expect(sampleValue(second, 'savepoint_versions', { path: 'data.csv' })).toBe(2);
    expect(sampleValue(second, 'savepoint_save_duration_seconds', {}, 'savepoint_save_duration_seconds_count')).toBe(2);
    expect((await get(url.replace('/metrics', '/other'))).status).toBe(404);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.events.at(-1)).toEqual({ type: 'stopped' });
    await expect(get(url)).rejects.toThrow();
  });
});

describe('the health record across processes', () => {
  it('keeps every record when several savepoint processes record at once', async () => {
    const { vault } = await newVault();
    const names = Array.from({ length: 6 }, (_, i) => `f${i}.csv`);
    for (const n of names) await fsp.writeFile(path.join(vault, n), `id\n${n}\n`);
    const run = (args: string[]) => new Promise<number | null>((resolve) => spawn(process.execPath, [BIN, ...args], { cwd: vault, env: cleanEnv(CLI_ENV), stdio: 'ignore' }).on('exit', resolve));
    // saves queue on the vault lock; failed verifies of unknown paths record without it: all race on health.json
    const codes = await Promise.all([...names.map((n) => run(['save', n])), ...names.map((n) => run(['verify', `missing-${n}`]))]);
    expect(codes.slice(0, 6)).toEqual([0, 0, 0, 0, 0, 0]);
    const h = sp(vault, ['status', '--json']).json.health;
    expect(h.save).toMatchObject({ runs: 6, failures: 0 });
    expect(h.verify).toMatchObject({ runs: 6, failures: 6, ok: false });
    expect(JSON.parse(await fsp.readFile(path.join(vault, '.git/savepoint/health.json'), 'utf8')).version).toBe(1);
  });
});

describe('a read-only object store under savepoint watch', () => {
  it('never blocks the writer, alerts save_failed once on stdin, shows it in status --json, then resolves', async () => {
    const { root, vault } = await newVault();
    const eventsFile = path.join(root, 'alerts.jsonl');
    const cfgFile = path.join(vault, 'savepoint.json');
    await fsp.writeFile(cfgFile, JSON.stringify({ ...JSON.parse(await fsp.readFile(cfgFile, 'utf8')), alerts: { command: `cat >> '${eventsFile}'` } }, null, 2) + '\n');
    const data = path.join(vault, 'data.csv');
    await fsp.writeFile(data, 'n\n0\n');
    expect(sp(vault, ['save', 'data.csv']).code).toBe(0);
    const alerts = async () => (await fsp.readFile(eventsFile, 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => JSON.parse(l));

    const undo = await breakObjectStore(vault);
    const w = jsonChild(['watch', '--json', '--debounce', '100'], vault);
    await w.waitFor((e) => e.type === 'ready');
    // another process writes the file 40 times; each write must return promptly
    const writer = spawn(process.execPath, ['-e', `
      const fs = require('fs');
      let worst = 0, last = '';
      (async () => {
        for (let i = 1; i <= 40; i++) {
          last = 'n\\n' + Array.from({ length: i * 50 }, (_, k) => k).join('\\n') + '\\n';
          const t0 = process.hrtime.bigint();
          fs.writeFileSync(process.argv[1], last);
          worst = Math.max(worst, Number(process.hrtime.bigint() - t0) / 1e6);
          await new Promise((r) => setTimeout(r, 25));
        }
        process.stdout.write(JSON.stringify({ worst, length: last.length }));
      })();`, data], { cwd: vault });
    children.push(writer);
    let out = '';
    writer.stdout.on('data', (d) => (out += d));
    const started = Date.now();
    expect(await new Promise((r) => writer.on('exit', r))).toBe(0);
    const wrote = JSON.parse(out);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(wrote.worst).toBeLessThan(1000);
    expect((await fsp.stat(data)).size).toBe(wrote.length); // the watcher never touched the file

    const failed = await w.waitFor((e) => e.type === 'failed' && e.path === 'data.csv', 45_000);
    let got = await alerts();
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ event: 'save_failed', status: 'firing', vault, details: { files: [{ path: 'data.csv', code: failed.code }] } });
    const st = sp(vault, ['status', '--json']);
    expect(st.code).toBe(0);
    expect(st.json.health).toMatchObject({ ok: false, save: { ok: false, error: { code: failed.code } }, failingFiles: [{ path: 'data.csv' }], alerts: { configured: true, firing: [{ alert: 'save_failed' }] } });
    expect(sp(vault, ['status']).stdout).toMatch(/health: save .* FAILED \[E_/);
    expect(await alerts()).toHaveLength(1); // status evaluated again: still one incident, one alert

    await undo();
    await fsp.appendFile(data, 'fixed\n');
    await w.waitFor((e) => e.type === 'saved' && e.path === 'data.csv');
    got = await alerts();
    expect(got.map((e) => e.event)).toEqual(['save_failed', 'resolved']);
    expect(got[1]).toMatchObject({ alert: 'save_failed', status: 'resolved' });
    w.child.kill('SIGINT');
    expect(await w.exited).toBe(0);
    const health = sp(vault, ['status', '--json']).json.health;
    expect(health).toMatchObject({ ok: true, save: { ok: true, errorsSinceSuccess: 0 }, failingFiles: [], alerts: { firing: [] } });
  });
});
