/**
 * `savepoint schedule install|remove|status`: run `savepoint maintain` on a timer. A systemd user timer where a
 * user systemd runs, else a crontab line. What was installed is recorded in .git/savepoint/schedule.json, so
 * `remove` deletes exactly that and `status` shows it. Overrides (tests, unusual setups): `--systemd-dir` /
 * SAVEPOINT_SYSTEMD_DIR write the units there without calling systemctl; SAVEPOINT_CRONTAB names a file used
 * instead of the `crontab` binary.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fsp, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Vault } from '@savepoint/core';
import type { CommandContext, Registrar } from '../context.js';
import { pipeMsg, scheduleMsg, usageMsg } from '../messages.js';
import { cronLine, cronMarker, describeSpec, parseScheduleSpec, systemdUnits } from '../schedule/units.js';

interface ScheduleState {
  kind: 'systemd' | 'cron';
  schedule: string;
  id: string;
  command: string[];
  installedAt: string;
  systemd?: { dir: string; managed: boolean; timer: string; files: { path: string; sha256: string }[] };
  cron?: { file: string | null; line: string };
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const stateFile = (vault: Vault) => path.join(vault.gitdir, 'savepoint', 'schedule.json');

async function readState(vault: Vault): Promise<ScheduleState | null> {
  try {
    return JSON.parse(await fsp.readFile(stateFile(vault), 'utf8')) as ScheduleState;
  } catch {
    return null;
  }
}


/** A user systemd manager answers on its private socket and says it is running. */
function userSystemdRunning(env: NodeJS.ProcessEnv): boolean {
  const runtime = env.XDG_RUNTIME_DIR || (process.getuid ? `/run/user/${process.getuid()}` : '');
  if (!runtime || !existsSync(path.join(runtime, 'systemd', 'private'))) return false;
  const r = spawnSync('systemctl', ['--user', 'is-system-running'], { encoding: 'utf8', timeout: 5000, env });
  return ['running', 'degraded', 'starting'].includes((r.stdout ?? '').trim());
}

function systemctl(ctx: CommandContext, args: string[]): void {
  const r = spawnSync('systemctl', ['--user', ...args], { encoding: 'utf8', timeout: 30_000, env: ctx.io.env });
  if (r.status !== 0) {
    throw new ctx.core.SavepointError('E_SCHEDULER_UNAVAILABLE', scheduleMsg.systemctlFailed(args, (r.stderr || r.error?.message || '').trim()), { args });
  }
}

/** The crontab: SAVEPOINT_CRONTAB's file, else `crontab -l` (no crontab yet = empty). */
function readCrontab(ctx: CommandContext, file: string | null): Promise<string> | string {
  if (file) return fsp.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? '' : Promise.reject(e)));
  const r = spawnSync('crontab', ['-l'], { encoding: 'utf8', timeout: 15_000, env: ctx.io.env });
  if (r.error) throw new ctx.core.SavepointError('E_SCHEDULER_UNAVAILABLE', scheduleMsg.noScheduler(r.error.message), {});
  if (r.status !== 0) {
    if (/no crontab/i.test(r.stderr ?? '')) return '';
    throw new ctx.core.SavepointError('E_SCHEDULER_UNAVAILABLE', scheduleMsg.crontabFailed('-l', (r.stderr ?? '').trim()), {});
  }
  return r.stdout;
}

async function writeCrontab(ctx: CommandContext, file: string | null, text: string): Promise<void> {
  if (file) return ctx.core.writeFileAtomic(file, text);
  const r = spawnSync('crontab', ['-'], { input: text, encoding: 'utf8', timeout: 15_000, env: ctx.io.env });
  if (r.status !== 0) throw new ctx.core.SavepointError('E_SCHEDULER_UNAVAILABLE', scheduleMsg.crontabFailed('-', (r.stderr || r.error?.message || '').trim()), {});
}

function crontabFile(ctx: CommandContext): string | null {
  const f = ctx.io.env.SAVEPOINT_CRONTAB;
  return f ? path.resolve(ctx.cwd, f) : null;
}

/** Absolute node and CLI paths valid on this machine, the vault by -C. */
function maintainCommand(vault: Vault): string[] {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  return [real(process.execPath), real(process.argv[1] ?? ''), '-C', vault.dir, 'maintain', '--quiet'];
}

async function removeInstalled(ctx: CommandContext, vault: Vault, s: ScheduleState): Promise<string[]> {
  const removed: string[] = [];
  if (s.kind === 'systemd' && s.systemd) {
    if (s.systemd.managed) {
      spawnSync('systemctl', ['--user', 'disable', '--now', s.systemd.timer], { encoding: 'utf8', timeout: 30_000, env: ctx.io.env });
    }
    for (const f of s.systemd.files) {
      if (existsSync(f.path)) {
        await fsp.rm(f.path, { force: true });
        removed.push(f.path);
      }
    }
    if (s.systemd.managed) spawnSync('systemctl', ['--user', 'daemon-reload'], { encoding: 'utf8', timeout: 30_000, env: ctx.io.env });
  } else if (s.kind === 'cron' && s.cron) {
    const current = await readCrontab(ctx, s.cron.file);
    const lines = current.split('\n');
    const kept = lines.filter((l) => l !== s.cron!.line);
    if (kept.length !== lines.length) {
      await writeCrontab(ctx, s.cron.file, kept.join('\n'));
      removed.push(`${s.cron.file ?? 'crontab'}: ${s.cron.line}`);
    }
  }
  await fsp.rm(stateFile(vault), { force: true });
  return removed;
}

async function presence(ctx: CommandContext, s: ScheduleState): Promise<boolean> {
  if (s.kind === 'systemd') {
    for (const f of s.systemd?.files ?? []) {
      const text = await fsp.readFile(f.path, 'utf8').catch(() => null);
      if (text === null || sha256(text) !== f.sha256) return false;
    }
    return true;
  }
  return (await readCrontab(ctx, s.cron?.file ?? null)).split('\n').includes(s.cron?.line ?? '\0');
}

export function registerSchedule({ program, action }: Registrar): void {
  const schedule = program.command('schedule').description('run `savepoint maintain` on a timer (systemd user timer, else crontab): install, remove, status');

  schedule
    .command('install')
    .description('install (or replace) the schedule for this vault and show exactly what was written')
    .option('--every <interval>', 'how often: 5m…30m, 1h…12h, 1d, 7d (default 1h)')
    .option('--daily <HH:MM>', 'once a day at this local time')
    .option('--method <kind>', 'auto (systemd user timer if one runs, else cron), systemd or cron', 'auto')
    .option('--systemd-dir <dir>', 'write the units into this folder and do not call systemctl (also SAVEPOINT_SYSTEMD_DIR)')
    .action(
      action(async (ctx, opts: { every?: string; daily?: string; method: string; systemdDir?: string }) => {
        const vault = await ctx.vault();
        const spec = parseScheduleSpec(opts);
        if ('error' in spec) throw new ctx.core.SavepointError('E_INVALID_ARGUMENT', spec.error, { every: opts.every, daily: opts.daily });
        if (!['auto', 'systemd', 'cron'].includes(opts.method)) throw new ctx.core.SavepointError('E_INVALID_ARGUMENT', usageMsg.scheduleMethod(opts.method), { method: opts.method });
        const dirOverride = opts.systemdDir ?? ctx.io.env.SAVEPOINT_SYSTEMD_DIR;
        const cronFile = crontabFile(ctx);
        let kind: 'systemd' | 'cron';
        let managed = false;
        if (opts.method === 'cron') kind = 'cron';
        else if (dirOverride) kind = 'systemd';
        else if (userSystemdRunning(ctx.io.env) && !(opts.method === 'auto' && cronFile)) {
          kind = 'systemd';
          managed = true;
        } else if (opts.method === 'systemd') {
          throw new ctx.core.SavepointError('E_SCHEDULER_UNAVAILABLE', scheduleMsg.noUserSystemd, {});
        } else kind = 'cron';

        const id = sha256(vault.dir).slice(0, 12);
        const command = maintainCommand(vault);
        // fail before touching the schedule already installed (crontab missing, unreadable)
        if (kind === 'cron') await readCrontab(ctx, cronFile);
        const previous = await readState(vault);
        if (previous) await removeInstalled(ctx, vault, previous);
        const written: { path: string; content: string }[] = [];
        const commands: string[] = [];
        let state: ScheduleState;
        if (kind === 'systemd') {
          const dir = path.resolve(ctx.cwd, dirOverride ?? path.join(ctx.io.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'systemd', 'user'));
          const units = systemdUnits(spec, command, vault.dir, id);
          for (const u of [units.service, units.timer]) {
            const p = path.join(dir, u.name);
            await ctx.core.writeFileAtomic(p, u.content);
            written.push({ path: p, content: u.content });
          }
          state = { kind, schedule: describeSpec(spec), id, command, installedAt: new Date().toISOString(), systemd: { dir, managed, timer: units.timer.name, files: written.map((w) => ({ path: w.path, sha256: sha256(w.content) })) } };
          await ctx.core.writeFileAtomic(stateFile(vault), JSON.stringify(state, null, 2) + '\n');
          if (managed) {
            try {
              systemctl(ctx, ['daemon-reload']);
              systemctl(ctx, ['enable', '--now', units.timer.name]);
            } catch (e) {
              await removeInstalled(ctx, vault, state);
              throw e;
            }
            commands.push(`Enabled with: systemctl --user enable --now ${units.timer.name}`);
          } else {
            commands.push(`Not enabled (${dir} was given): enable it with: systemctl --user daemon-reload && systemctl --user enable --now ${units.timer.name}`);
          }
        } else {
          const logFile = path.join(vault.gitdir, 'savepoint', 'maintain.log');
          const line = cronLine(spec, command, logFile, id);
          const current = await readCrontab(ctx, cronFile);
          // a line of ours for this vault left by hand edits is replaced, not duplicated
          const kept = current.split('\n').filter((l) => l !== '' && !l.endsWith(cronMarker(id)));
          const text = [...kept, line].join('\n') + '\n';
          await writeCrontab(ctx, cronFile, text);
          written.push({ path: cronFile ?? 'crontab', content: line + '\n' });
          state = { kind, schedule: describeSpec(spec), id, command, installedAt: new Date().toISOString(), cron: { file: cronFile, line } };
          await ctx.core.writeFileAtomic(stateFile(vault), JSON.stringify(state, null, 2) + '\n');
          commands.push(`Output goes to ${logFile}`);
        }
        if (ctx.out.json) ctx.out.emitJson({ ok: true, installed: state, files: written, replaced: !!previous });
        else pipeMsg.scheduleInstalled(kind === 'systemd' ? 'systemd user timer' : 'crontab', written, commands).forEach((l) => ctx.out.line(l));
      }),
    );

  schedule
    .command('remove')
    .description('delete exactly what `schedule install` wrote for this vault')
    .action(
      action(async (ctx) => {
        const vault = await ctx.vault();
        const state = await readState(vault);
        const removed = state ? await removeInstalled(ctx, vault, state) : [];
        if (ctx.out.json) ctx.out.emitJson({ ok: true, removed, kind: state?.kind ?? null });
        else pipeMsg.scheduleRemoved(state?.kind ?? '', removed).forEach((l) => ctx.out.line(l));
      }),
    );

  schedule
    .command('status')
    .description('show the installed schedule, its command and whether it is still in place')
    .action(
      action(async (ctx) => {
        const vault = await ctx.vault();
        const state = await readState(vault);
        const present = state ? await presence(ctx, state) : false;
        const info = state
          ? { installed: true, kind: state.kind, schedule: state.schedule, command: state.command.join(' '), present, where: state.kind === 'systemd' ? state.systemd!.files.map((f) => f.path) : [state.cron!.file ?? 'crontab'], state }
          : { installed: false };
        if (ctx.out.json) ctx.out.emitJson({ ok: true, ...info });
        else pipeMsg.scheduleStatus(info).forEach((l) => ctx.out.line(l));
      }),
    );
}
