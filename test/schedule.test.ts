/**
 * `savepoint schedule install|remove|status` against a temp crontab file (SAVEPOINT_CRONTAB) and a temp systemd
 * user folder (--systemd-dir / SAVEPOINT_SYSTEMD_DIR): exact content, absolute node + CLI paths, -C <vault>,
 * remove deletes exactly what was installed and nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fsp, realpathSync } from 'node:fs';
import path from 'node:path';
import { BIN, sp, tempDir } from './helpers/cli.js';

let root: string;
let vault: string;
let id: string;
const NODE = realpathSync(process.execPath);
const CLI = realpathSync(BIN);

beforeAll(async () => {
  root = await tempDir();
  vault = path.join(root, 'my vault');
  expect(sp(root, ['init', 'my vault']).code).toBe(0);
  id = createHash('sha256').update(vault).digest('hex').slice(0, 12);
});
afterAll(async () => fsp.rm(root, { recursive: true, force: true }));

describe('savepoint schedule', () => {
  it('crontab: installs one line next to the user\'s own, shows it, status finds it, remove deletes exactly it', async () => {
    const crontab = path.join(root, 'crontab');
    const theirs = 'MAILTO=me@example.test\n15 3 * * * /usr/bin/backup-photos\n';
    await fsp.writeFile(crontab, theirs);
    const env = { SAVEPOINT_CRONTAB: crontab };
    const line = `0 2 * * * '${NODE}' '${CLI}' '-C' '${vault}' 'maintain' '--quiet' >>'${vault}/.git/savepoint/maintain.log' 2>&1 # savepoint-maintain:${id}`;
    const r = sp(vault, ['schedule', 'install', '--daily', '02:00', '--method', 'cron'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`--- ${crontab}\n${line}\n`);
    expect(await fsp.readFile(crontab, 'utf8')).toBe(`${theirs}${line}\n`);
    // installing again replaces, never duplicates
    const again = sp(vault, ['schedule', 'install', '--every', '30m', '--method', 'cron', '--json'], { env });
    expect(again.json).toMatchObject({ ok: true, replaced: true, installed: { kind: 'cron', schedule: 'every 30m' } });
    const line30 = line.replace(/^0 2 \* \* \*/, '*/30 * * * *');
    expect(await fsp.readFile(crontab, 'utf8')).toBe(`${theirs}${line30}\n`);
    const st = sp(vault, ['schedule', 'status', '--json'], { env });
    expect(st.json).toMatchObject({ installed: true, kind: 'cron', schedule: 'every 30m', present: true, command: `${NODE} ${CLI} -C ${vault} maintain --quiet` });
    // the command it installed works from anywhere (absolute paths, -C)
    const sh = spawnSync('sh', ['-c', line30.replace(/^\S+ \S+ \S+ \S+ \S+ /, '').replace(/ # savepoint-maintain:.*$/, '')], { cwd: '/', encoding: 'utf8' });
    expect(sh.status).toBe(0);
    expect(JSON.parse(await fsp.readFile(path.join(vault, '.git', 'savepoint', 'maintain.json'), 'utf8'))).toMatchObject({ ok: true, outcome: 'ran' });
    const rm = sp(vault, ['schedule', 'remove'], { env });
    expect(rm.code).toBe(0);
    expect(await fsp.readFile(crontab, 'utf8')).toBe(theirs);
    expect(sp(vault, ['schedule', 'status'], { env }).stdout).toMatch(/No schedule installed/);
  });

  it('systemd: writes a service and a timer into the given folder with exact content; remove deletes just those', async () => {
    const dir = path.join(root, 'systemd-user');
    await fsp.mkdir(dir);
    await fsp.writeFile(path.join(dir, 'other.timer'), '[Timer]\nOnCalendar=daily\n');
    const r = sp(vault, ['schedule', 'install', '--every', '1h', '--json'], { env: { SAVEPOINT_SYSTEMD_DIR: dir } });
    expect(r.code).toBe(0);
    const header = `# Written by \`savepoint schedule install\` for the vault ${vault}; \`savepoint schedule remove\` deletes it.`;
    const service = [
      header,
      '[Unit]',
      `Description=Savepoint maintenance of ${vault}`,
      '',
      '[Service]',
      'Type=oneshot',
      `ExecStart="${NODE}" "${CLI}" "-C" "${vault}" "maintain" "--quiet"`,
      'Nice=10',
      'IOSchedulingClass=idle',
      '',
    ].join('\n');
    const timer = [
      header,
      '[Unit]',
      `Description=Run Savepoint maintenance of ${vault} every 1h`,
      '',
      '[Timer]',
      'OnActiveSec=1min',
      'OnUnitActiveSec=60min',
      `Unit=savepoint-maintain-${id}.service`,
      '',
      '[Install]',
      'WantedBy=timers.target',
      '',
    ].join('\n');
    expect(await fsp.readFile(path.join(dir, `savepoint-maintain-${id}.service`), 'utf8')).toBe(service);
    expect(await fsp.readFile(path.join(dir, `savepoint-maintain-${id}.timer`), 'utf8')).toBe(timer);
    expect(r.json.files).toEqual([
      { path: path.join(dir, `savepoint-maintain-${id}.service`), content: service },
      { path: path.join(dir, `savepoint-maintain-${id}.timer`), content: timer },
    ]);
    expect(r.json.installed.systemd.managed).toBe(false);
    const human = sp(vault, ['schedule', 'status']);
    expect(human.stdout).toMatch(/Schedule: systemd \(every 1h\)/);
    // a file edited by hand shows as missing from status
    await fsp.appendFile(path.join(dir, `savepoint-maintain-${id}.timer`), '# edited\n');
    expect(sp(vault, ['schedule', 'status', '--json']).json.present).toBe(false);
    const rm = sp(vault, ['schedule', 'remove', '--json']);
    expect(rm.json.removed).toEqual([path.join(dir, `savepoint-maintain-${id}.service`), path.join(dir, `savepoint-maintain-${id}.timer`)]);
    expect(await fsp.readdir(dir)).toEqual(['other.timer']);
  });

  it('says so when there is neither a user systemd nor a crontab command (E_SCHEDULER_UNAVAILABLE, exit 21), and installs nothing', async () => {
    const noRuntime = path.join(root, 'no-runtime');
    await fsp.mkdir(noRuntime, { recursive: true });
    const env = { PATH: '/nonexistent', XDG_RUNTIME_DIR: noRuntime, SAVEPOINT_CRONTAB: '' };
    const r = sp(vault, ['schedule', 'install', '--json'], { env });
    expect(r.code).toBe(21);
    expect(r.json.error).toMatchObject({ code: 'E_SCHEDULER_UNAVAILABLE', message: expect.stringMatching(/Neither a user systemd nor the crontab command/) });
    const sd = sp(vault, ['schedule', 'install', '--method', 'systemd', '--json'], { env });
    expect(sd.json.error).toMatchObject({ code: 'E_SCHEDULER_UNAVAILABLE', message: expect.stringMatching(/No user systemd is running here.*--method cron/) });
    expect(sp(vault, ['schedule', 'status', '--json']).json.installed).toBe(false);
  });

  it('refuses a schedule it cannot keep exact', () => {
    const r = sp(vault, ['schedule', 'install', '--every', '7m', '--method', 'cron', '--json'], { env: { SAVEPOINT_CRONTAB: path.join(root, 'ct2') } });
    expect(r.code).toBe(2);
    expect(r.json.error).toMatchObject({ code: 'E_INVALID_ARGUMENT', message: expect.stringMatching(/--every needs minutes dividing an hour/) });
  });
});
