/**
 * What `savepoint schedule install` writes: a systemd user service + timer, or one crontab line. Pure: the
 * command (commands/schedule.ts) detects the scheduler, writes, and records what it wrote.
 */

export type ScheduleSpec = { every: string; minutes: number } | { daily: string; hour: number; minute: number };

/** `--every 15m|1h|6h|1d|7d` or `--daily HH:MM`; returns null with a reason when the text is not usable. */
export function parseScheduleSpec(opts: { every?: string; daily?: string }): ScheduleSpec | { error: string } {
  if (opts.every !== undefined && opts.daily !== undefined) return { error: 'Give either --every or --daily, not both.' };
  if (opts.daily !== undefined) {
    const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(opts.daily);
    if (!m) return { error: `--daily needs a time of day as HH:MM, 00:00 to 23:59 (got "${opts.daily}").` };
    return { daily: `${m[1]!.padStart(2, '0')}:${m[2]}`, hour: Number(m[1]), minute: Number(m[2]) };
  }
  const every = opts.every ?? '1h';
  const m = /^(\d{1,3})(m|min|h|d)$/.exec(every);
  const bad = { error: `--every needs minutes dividing an hour (5m, 10m, 15m, 20m, 30m), hours dividing a day (1h, 2h, 3h, 4h, 6h, 8h, 12h), 1d or 7d (got "${every}"), so that every run is the same time apart.` };
  if (!m) return bad;
  const n = Number(m[1]);
  const unit = m[2] === 'min' ? 'm' : m[2]!;
  if (unit === 'm' && !(n >= 5 && n < 60 && 60 % n === 0)) return bad;
  if (unit === 'h' && !(n >= 1 && n < 24 && 24 % n === 0)) return bad;
  if (unit === 'd' && n !== 1 && n !== 7) return bad;
  return { every: `${n}${unit}`, minutes: n * (unit === 'm' ? 1 : unit === 'h' ? 60 : 1440) };
}

export function describeSpec(s: ScheduleSpec): string {
  return 'daily' in s ? `daily at ${s.daily}` : `every ${s.every}`;
}

/** The five crontab time fields. */
export function cronTimes(s: ScheduleSpec): string {
  if ('daily' in s) return `${s.minute} ${s.hour} * * *`;
  if (s.minutes < 60) return `*/${s.minutes} * * * *`;
  if (s.minutes === 60) return '0 * * * *';
  if (s.minutes < 1440) return `0 */${s.minutes / 60} * * *`;
  if (s.minutes === 1440) return '0 0 * * *';
  return '0 0 * * 0';
}

/** POSIX shell single-quoting, plus cron's rule that a bare % ends the command (\% is a literal %). */
export function cronQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`.replace(/%/g, '\\%');
}

/** The marker at the end of our crontab line: lets status find it and keeps lines of several vaults apart. */
export function cronMarker(id: string): string {
  return `# savepoint-maintain:${id}`;
}

export function cronLine(s: ScheduleSpec, command: string[], logFile: string, id: string): string {
  return `${cronTimes(s)} ${command.map(cronQuote).join(' ')} >>${cronQuote(logFile)} 2>&1 ${cronMarker(id)}`;
}

/** systemd ExecStart quoting: double quotes with C escapes; % and $ doubled (specifiers, variables). */
export function systemdQuote(arg: string): string {
  return `"${arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$')}"`;
}

export function unitName(id: string): string {
  return `savepoint-maintain-${id}`;
}

/** Unit file text is a single line per value: keep control characters of odd folder names out of it. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]/g, ' ');
}

export function systemdUnits(s: ScheduleSpec, command: string[], vaultDir: string, id: string): { service: { name: string; content: string }; timer: { name: string; content: string } } {
  const name = unitName(id);
  const header = `# Written by \`savepoint schedule install\` for the vault ${oneLine(vaultDir)}; \`savepoint schedule remove\` deletes it.\n`;
  const service = [
    header.trimEnd(),
    '[Unit]',
    `Description=Savepoint maintenance of ${oneLine(vaultDir).replace(/%/g, '%%')}`,
    '',
    '[Service]',
    'Type=oneshot',
    `ExecStart=${command.map(systemdQuote).join(' ')}`,
    'Nice=10',
    'IOSchedulingClass=idle',
    '',
  ].join('\n');
  const when = 'daily' in s ? [`OnCalendar=*-*-* ${s.daily}:00`, 'Persistent=true'] : ['OnActiveSec=1min', `OnUnitActiveSec=${s.minutes}min`];
  const timer = [
    header.trimEnd(),
    '[Unit]',
    `Description=Run Savepoint maintenance of ${oneLine(vaultDir).replace(/%/g, '%%')} ${describeSpec(s)}`,
    '',
    '[Timer]',
    ...when,
    `Unit=${name}.service`,
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
  return { service: { name: `${name}.service`, content: service }, timer: { name: `${name}.timer`, content: timer } };
}
