/**
 * `savepoint metrics`: the vault's health as Prometheus text (prom-client, loaded only here), once or served
 * on /metrics (`--serve 127.0.0.1:9464`, fresh on every scrape). Alerts are evaluated on every run.
 */
import { statfs } from 'node:fs/promises';
import type { DurationHistogram, Vault } from '@savepoint/core';
import type { CommandContext, Registrar } from '../context.js';
import { healthMsg } from '../messages.js';

type PromClient = typeof import('prom-client');

/** host:port, [v6]:port or :port (127.0.0.1); port 0 picks a free one. */
export function parseListen(text: string): { host: string; port: number } | null {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  if (!m) return null;
  const port = Number(m[3]);
  if (port > 65535) return null;
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

/** A histogram whose buckets come from the health record's cumulative counts, not from this process. */
function recordedHistogram(client: PromClient, registry: InstanceType<PromClient['Registry']>, name: string, help: string, data: DurationHistogram) {
  class Recorded extends client.Histogram<string> {
    override async get(): ReturnType<InstanceType<PromClient['Histogram']>['get']> {
      let cumulative = 0;
      const values = data.bounds.map((le, i) => {
        cumulative += data.counts[i] ?? 0;
        return { labels: { le }, value: cumulative, metricName: `${name}_bucket` };
      });
      const all: { labels: Record<string, string | number>; value: number; metricName: string }[] = [
        ...values,
        { labels: { le: '+Inf' }, value: data.count, metricName: `${name}_bucket` },
        { labels: {}, value: data.sum, metricName: `${name}_sum` },
        { labels: {}, value: data.count, metricName: `${name}_count` },
      ];
      return { name, help, type: 'histogram', values: all, aggregator: 'sum' } as unknown as Awaited<ReturnType<InstanceType<PromClient['Histogram']>['get']>>;
    }
  }
  const h = new Recorded({ name, help, buckets: data.bounds, registers: [] });
  (h as unknown as { getForPromString: () => unknown }).getForPromString = () => h.get();
  registry.registerMetric(h);
}

const secs = (iso: string) => Date.parse(iso) / 1000;

/** Build a registry holding the vault's current metrics. */
export async function collectMetrics(ctx: CommandContext, vault: Vault): Promise<InstanceType<PromClient['Registry']>> {
  const mod = await import('prom-client');
  // a CommonJS package: bundled, its exports arrive as the default export
  const client = ((mod as { default?: PromClient }).default ?? mod) as PromClient;
  const core = ctx.core;
  await core.evaluateAlerts(vault);
  const [health, history, copies] = await Promise.all([core.readHealth(vault), core.loadHistory(vault), core.copiesStatus(vault)]);
  const registry = new client.Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []) => new client.Gauge({ name, help, labelNames, registers: [registry] });
  const counter = (name: string, help: string, labelNames: string[] = []) => new client.Counter({ name, help, labelNames, registers: [registry] });

  const lastSave = gauge('savepoint_last_save_timestamp_seconds', 'Unix time of the newest saved version of each file', ['path']);
  const versions = gauge('savepoint_versions', 'Saved versions per file (archived ones included)', ['path']);
  const archived = gauge('savepoint_archived_versions', 'Versions per file that live in retention archives', ['path']);
  const fileBytes = gauge('savepoint_file_bytes', 'Size of the newest saved version of each file', ['path']);
  const perFile = new Map<string, { n: number; archived: number; savedAt: string; size: number; version: number }>();
  for (const v of history.versions) {
    const cur = perFile.get(v.path) ?? { n: 0, archived: 0, savedAt: v.savedAt, size: v.size, version: 0 };
    cur.n += 1;
    if (v.archive) cur.archived += 1;
    if (v.version > cur.version) Object.assign(cur, { version: v.version, savedAt: v.savedAt, size: v.size });
    perFile.set(v.path, cur);
  }
  for (const [p, f] of perFile) {
    lastSave.set({ path: p }, secs(f.savedAt));
    versions.set({ path: p }, f.n);
    archived.set({ path: p }, f.archived);
    fileBytes.set({ path: p }, Math.max(0, f.size));
  }

  const stored = gauge('savepoint_stored_bytes', 'Bytes on disk: the git object store and the retention archives', ['store']);
  stored.set({ store: 'objects' }, health.sizes?.objectBytes ?? 0);
  stored.set({ store: 'archives' }, health.sizes?.archiveBytes ?? 0);

  recordedHistogram(client, registry, 'savepoint_save_duration_seconds', 'Duration of successful saves (from the health record)', health.saveDurations);

  const runs = counter('savepoint_operations_total', 'Recorded runs per operation', ['op']);
  const fails = counter('savepoint_operation_failures_total', 'Recorded failed runs per operation', ['op']);
  const lastAt = gauge('savepoint_last_operation_timestamp_seconds', 'Unix time the last run of each operation started', ['op']);
  const lastOk = gauge('savepoint_last_operation_success', '1 when the last run of the operation succeeded, else 0', ['op']);
  const lastDur = gauge('savepoint_last_operation_duration_seconds', 'Duration of the last run of each operation', ['op']);
  const since = gauge('savepoint_operation_errors_since_success', 'Failed runs since the last successful one', ['op']);
  const ops = { save: health.save, verify: health.verify, push: health.push, maintain: health.maintain, restore: health.restore, ...health.other };
  for (const [op, h] of Object.entries(ops)) {
    if (!h) continue;
    runs.inc({ op }, h.runs);
    fails.inc({ op }, h.failures);
    lastAt.set({ op }, secs(h.lastAt));
    lastOk.set({ op }, h.ok ? 1 : 0);
    lastDur.set({ op }, h.durationMs / 1000);
    since.set({ op }, h.errorsSinceSuccess);
  }

  counter('savepoint_verify_failures_total', 'Verify runs that found damaged or missing versions').inc(health.verifyFailures);
  gauge('savepoint_damaged_versions', 'Versions known to be damaged or missing (last verify, failed restores)').set(health.badVersions.length);
  gauge('savepoint_failing_files', 'Files whose last save attempt failed').set(health.failingFiles.length);
  gauge('savepoint_push_queue_length', 'Remotes waiting for a retried push').set(health.pushQueue.length);
  const attempts = gauge('savepoint_push_queue_attempts', 'Failed push attempts of each queued remote', ['remote']);
  for (const q of health.pushQueue.entries) attempts.set({ remote: q.remote }, q.attempts);

  const s = copies.summary;
  gauge('savepoint_321_ok', '1 when every version has 3 copies on 2 media with 1 off-site (the 3-2-1 rule), else 0').set(s.versions > 0 && s.ok321 === s.versions ? 1 : 0);
  const v321 = gauge('savepoint_321_versions', 'Versions meeting (ok) or missing (not_met) the 3-2-1 rule', ['verdict']);
  v321.set({ verdict: 'ok' }, s.ok321);
  v321.set({ verdict: 'not_met' }, s.versions - s.ok321);
  gauge('savepoint_min_copies', 'Fewest copies any version has').set(s.minCopies);

  const firing = gauge('savepoint_alert_firing', '1 for each open alert incident', ['alert', 'key']);
  for (const a of health.alerts.firing) firing.set({ alert: a.alert, key: a.key }, 1);
  const fsStat = await statfs(vault.gitdir).catch(() => null);
  if (fsStat) gauge('savepoint_disk_free_bytes', "Free bytes on the vault's file system").set(Number(fsStat.bavail) * Number(fsStat.bsize));
  return registry;
}

async function serve(ctx: CommandContext, vault: Vault, listen: { host: string; port: number }): Promise<number> {
  const http = await import('node:http');
  let chain: Promise<unknown> = Promise.resolve();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(healthMsg.notFound);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    // one scrape at a time; each re-reads the vault (config, history, health) from disk
    const job = chain.then(async () => {
      try {
        const fresh = await ctx.core.openVault({ dir: vault.dir });
        const registry = await collectMetrics(ctx, fresh);
        const text = await registry.metrics();
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : text);
      } catch (e) {
        const err = e as { code?: string; message?: string };
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`# savepoint metrics failed [${err.code ?? 'E_INTERNAL'}]: ${err.message ?? String(e)}\n`);
      }
    });
    chain = job;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new ctx.core.SavepointError('E_INVALID_ARGUMENT', healthMsg.listenFailed(`${listen.host}:${listen.port}`, e.code ?? e.message), { listen: `${listen.host}:${listen.port}` })));
    server.listen(listen.port, listen.host, () => resolve());
  });
  const addr = server.address() as import('node:net').AddressInfo;
  const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}/metrics`;
  if (ctx.out.json) ctx.io.stdout.write(JSON.stringify({ type: 'listening', url }) + '\n');
  else ctx.out.line(healthMsg.serving(url));
  await new Promise<void>((resolve) => ctx.onInterrupt(resolve));
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  await chain;
  if (ctx.out.json) ctx.io.stdout.write(JSON.stringify({ type: 'stopped' }) + '\n');
  return 0;
}

export function registerMetrics({ program, action }: Registrar): void {
  program
    .command('metrics')
    .description('print the vault\'s health in Prometheus text format (last saves, save durations, sizes, versions, verify failures, push queue, 3-2-1); --serve HOST:PORT serves /metrics')
    .option('--serve <host:port>', 'serve /metrics over HTTP (e.g. 127.0.0.1:9464) until Ctrl-C / SIGTERM')
    .action(
      action(async (ctx, opts: { serve?: string }) => {
        const vault = await ctx.vault();
        if (opts.serve !== undefined) {
          const listen = parseListen(opts.serve);
          if (!listen) throw new ctx.core.SavepointError('E_INVALID_ARGUMENT', healthMsg.badListen(opts.serve), { serve: opts.serve });
          return serve(ctx, vault, listen);
        }
        const registry = await collectMetrics(ctx, vault);
        if (ctx.out.json) return ctx.out.emitJson({ ok: true, metrics: await registry.getMetricsAsJSON() });
        ctx.io.stdout.write(await registry.metrics());
      }),
    );
}
