/**
 * Sending an alert event: a shell command gets the event JSON on stdin, a webhook gets it POSTed. Each
 * channel has a time limit; failures are returned (with the webhook named by its origin only: URLs often
 * carry tokens), never thrown.
 */
import { spawn } from 'node:child_process';
import type { AlertEvent } from './alerts.js';

export interface ChannelResult {
  channel: 'command' | 'webhook';
  ok: boolean;
  error?: string;
}

export interface AlertTargets {
  command?: string | undefined;
  webhook?: string | undefined;
}

export const DELIVERY_TIMEOUT_MS = 15_000;

/** A webhook URL as it may be shown: scheme and host only (no userinfo, path or query, where tokens live). */
export function describeWebhook(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '(invalid webhook URL)';
  }
}

export function runAlertCommand(command: string, payload: string, cwd: string, timeoutMs = DELIVERY_TIMEOUT_MS): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const done = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
    const child = spawn(command, { shell: true, cwd, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      if (stderr.length < 2000) stderr += d.toString('utf8');
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done(new Error(`the alert command did not finish within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    child.on('error', (e) => done(new Error(`the alert command could not start: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) done();
      else done(new Error(`the alert command exited with ${signal ?? `code ${code}`}${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-1)[0]}` : ''}`));
    });
    // a command that ignores its input may exit before reading it: that is fine
    child.stdin!.on('error', () => {});
    child.stdin!.end(payload);
  });
}

// node:https pulls in tls (~5 ms of start-up): loaded only when a webhook is actually posted, not by every
// command that evaluates alerts (status, save)
export async function postWebhook(url: string, payload: string, timeoutMs = DELIVERY_TIMEOUT_MS): Promise<void> {
  const [http, https] = await Promise.all([import('node:http'), import('node:https')]);
  return new Promise<void>((resolve, reject) => {
    const shown = describeWebhook(url);
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new Error(`${shown}: not a URL`));
      return;
    }
    const lib = u.protocol === 'https:' ? https : http;
    const body = Buffer.from(payload);
    const req = lib.request(u, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length, 'user-agent': 'savepoint-alerts' }, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 300) resolve();
        else reject(new Error(`webhook ${shown} answered HTTP ${code}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`webhook ${shown} did not answer within ${Math.round(timeoutMs / 1000)} s`)));
    req.on('error', (e) => reject(new Error(e.message.includes(shown) ? e.message : `webhook ${shown}: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
    req.end(body);
  });
}

/** Send one event to every configured channel. */
export async function deliverEvent(event: AlertEvent & { vault: string; host: string }, targets: AlertTargets, cwd: string): Promise<ChannelResult[]> {
  const payload = JSON.stringify(event) + '\n';
  const jobs: Promise<ChannelResult>[] = [];
  if (targets.command) {
    jobs.push(runAlertCommand(targets.command, payload, cwd).then(
      () => ({ channel: 'command' as const, ok: true }),
      (e: Error) => ({ channel: 'command' as const, ok: false, error: e.message }),
    ));
  }
  if (targets.webhook) {
    jobs.push(postWebhook(targets.webhook, payload).then(
      () => ({ channel: 'webhook' as const, ok: true }),
      (e: Error) => ({ channel: 'webhook' as const, ok: false, error: e.message }),
    ));
  }
  return Promise.all(jobs);
}
