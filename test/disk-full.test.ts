/**
 * Disk full: save, compact, retention apply and restore on a small tmpfs. Each must fail with E_NO_SPACE
 * (exit 14), leave the vault and the user's files as they were (`git fsck --strict`, same versions, same
 * bytes), and succeed once space is freed, without any manual cleanup.
 * Needs root and `unshare -m` (the tmpfs lives in a private mount namespace, so nothing leaks into the host);
 * otherwise the suite is skipped and says so. The whole scenario runs inside that namespace as one driver
 * script (the test process cannot see the mount), which reports each step as a JSON line.
 */
import { spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CLI_ENV, cleanEnv, tempDir } from './helpers/cli.js';

const isRoot = process.getuid?.() === 0;
const canUnshare = isRoot && spawnSync('unshare', ['-m', 'sh', '-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=1m tmpfs "$d" && umount "$d" && rmdir "$d"'], { encoding: 'utf8' }).status === 0;
const SKIP = 'SKIPPED: disk-full tests need root and `unshare -m` to mount a private tmpfs';
if (!canUnshare) console.warn(`[disk-full] ${SKIP}`);

const DRIVER = String.raw`
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
const [mnt, bin] = process.argv.slice(2);
const env = JSON.parse(process.env.SP_DRIVER_ENV);
const vault = path.join(mnt, 'vault');
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const sp = (args) => {
  const r = spawnSync(process.execPath, [bin, ...args, '--json'], { cwd: vault, env, encoding: 'utf8' });
  let json = null;
  try { json = JSON.parse(r.stdout); } catch {}
  return { code: r.status, json, stderr: r.stderr.slice(-2000) };
};
const git = (args) => spawnSync('git', args, { cwd: vault, env, encoding: 'utf8' });
const state = () => ({
  fsck: git(['fsck', '--strict']).status,
  log: (sp(['log']).json?.versions ?? []).map((v) => v.path + '@' + v.version + (v.archive ? 'a' : '')).join(','),
  files: Object.fromEntries(fs.readdirSync(vault).filter((n) => n.endsWith('.bin')).map((n) => [n, fs.readFileSync(path.join(vault, n)).toString('base64').slice(0, 40) + ':' + fs.statSync(path.join(vault, n)).size])),
});
// fill the filesystem, then give back 'free' bytes
const filler = path.join(mnt, 'filler');
function fill(free) {
  const fd = fs.openSync(filler, 'w');
  const block = Buffer.alloc(64 * 1024);
  let size = 0;
  try { for (;;) size += fs.writeSync(fd, block); } catch (e) { if (e.code !== 'ENOSPC') throw e; }
  fs.ftruncateSync(fd, Math.max(0, size - free));
  fs.closeSync(fd);
}
const unfill = () => fs.rmSync(filler, { force: true });
const rnd = (n, seed) => { const b = Buffer.alloc(n); let x = seed; for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = x >>> 24; } return b; };

fs.mkdirSync(vault);
out({ step: 'init', ...sp(['init', '--no-auto-retention', '--no-export-dir']) });
for (let v = 1; v <= 4; v++) {
  fs.writeFileSync(path.join(vault, 'data.bin'), rnd(200_000, v));
  out({ step: 'save-' + v, ...sp(['save', 'data.bin']) });
}
// save: a new 600 kB version with 64 kB free
fs.writeFileSync(path.join(vault, 'big.bin'), rnd(600_000, 99));
let before = state();
fill(64 * 1024);
out({ step: 'save-full', ...sp(['save', 'big.bin']), before, after: state() });
unfill();
out({ step: 'save-freed', ...sp(['save', 'big.bin']) });
// restore: data.bin (equal to v4, so no pre-restore snapshot) back to v1, with 32 kB free
before = state();
fill(32 * 1024);
out({ step: 'restore-full', ...sp(['restore', 'data.bin@1']), before, after: state() });
unfill();
out({ step: 'restore-freed', ...sp(['restore', 'data.bin@1']), after: state() });
// compact: packing ~1.4 MB of loose objects with 32 kB free
before = state();
fill(32 * 1024);
out({ step: 'compact-full', ...sp(['compact']), before, after: state() });
unfill();
out({ step: 'compact-freed', ...sp(['compact']), after: state() });
// retention apply: archive the older versions of data.bin with 16 kB free
for (let v = 5; v <= 6; v++) {
  fs.writeFileSync(path.join(vault, 'data.bin'), rnd(200_000, v));
  out({ step: 'save-' + v, ...sp(['save', 'data.bin']) });
}
before = state();
fill(16 * 1024);
out({ step: 'retention-full', ...sp(['retention', 'apply', '--yes', '--keep-last', '1']), before, after: state() });
unfill();
out({ step: 'retention-freed', ...sp(['retention', 'apply', '--yes', '--keep-last', '1']), after: state() });
out({ step: 'verify', ...sp(['verify']) });
`;

describe.skipIf(!canUnshare)(canUnshare ? 'disk full (private tmpfs)' : `disk full: ${SKIP}`, () => {
  let root: string;
  const steps = new Map<string, { code: number; json: any; stderr: string; before?: any; after?: any }>();
  beforeAll(async () => {
    root = await tempDir();
    const mnt = path.join(root, 'mnt');
    await fsp.mkdir(mnt);
    const driver = path.join(root, 'driver.mjs');
    await fsp.writeFile(driver, DRIVER);
    const env = cleanEnv(CLI_ENV);
    const r = spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs -o size=3m tmpfs "$1" && exec "$2" "$3" "$1" "$4"', 'sh', mnt, process.execPath, driver, BIN], { env: { ...env, SP_DRIVER_ENV: JSON.stringify(env) }, encoding: 'utf8', timeout: 120_000 });
    for (const line of r.stdout.split('\n').filter(Boolean)) {
      const o = JSON.parse(line);
      steps.set(o.step, o);
    }
    if (!steps.has('verify')) throw new Error(`the disk-full driver stopped early (exit ${r.status}):\n${r.stderr}\n${r.stdout.slice(-3000)}`);
  }, 150_000);
  afterAll(() => fsp.rm(root, { recursive: true, force: true }));

  const step = (name: string) => {
    const s = steps.get(name);
    if (!s) throw new Error(`no step ${name}`);
    return s;
  };
  const failsCleanly = (name: string) => {
    const s = step(name);
    expect(s.code, `${name}: ${JSON.stringify(s.json)} ${s.stderr}`).toBe(14);
    expect(s.json).toMatchObject({ ok: false, error: { code: 'E_NO_SPACE' } });
    expect(s.json.error.message).toMatch(/disk space/i);
    expect(s.after.fsck).toBe(0);
    expect(s.after.log).toBe(s.before.log); // nothing lost, nothing half-added
    expect(s.after.files).toEqual(s.before.files); // the user's files untouched
  };

  it('the setup saves work', () => {
    for (const n of ['init', 'save-1', 'save-2', 'save-3', 'save-4', 'save-5', 'save-6']) expect(step(n).code, n).toBe(0);
  });
  it('save: E_NO_SPACE, nothing lost; saves once space is freed', () => {
    failsCleanly('save-full');
    expect(step('save-freed')).toMatchObject({ code: 0, json: { files: [{ path: 'big.bin', version: 1, status: 'saved' }] } });
  });
  it('restore: E_NO_SPACE, the file as it was; restores once space is freed', () => {
    failsCleanly('restore-full');
    expect(step('restore-freed').code).toBe(0);
    expect(step('restore-freed').after.files['data.bin']).not.toEqual(step('restore-full').before.files['data.bin']);
  });
  it('compact: E_NO_SPACE, no half pack; compacts once space is freed', () => {
    failsCleanly('compact-full');
    expect(step('compact-freed').code).toBe(0);
    expect(step('compact-freed').after.fsck).toBe(0);
  });
  it('retention apply: E_NO_SPACE, no version lost; applies once space is freed', () => {
    failsCleanly('retention-full');
    expect(step('retention-freed').code, JSON.stringify(step('retention-freed').json)).toBe(0);
    expect(step('retention-freed').after.log, JSON.stringify(step('retention-freed'))).toMatch(/data\.bin@1a/);
    expect(step('verify')).toMatchObject({ code: 0 });
  });
});
