// Push and clone of a large history (issue 12 item 5) to a local-path remote, beside native `git push` /
// `git clone` to a local bare repository, from the same vault in the same run. Size: BENCH_REMOTE_MB
// (default 256; the issue's figure is 1024), spread over 4 saves of one file (random, incompressible data).
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { CLI, cliAvailable, fmtS, gitSync, line, measure, requireBuilt, rss, sh } from './lib.mjs';

requireBuilt();
if (!cliAvailable()) {
  console.log('remote bench skipped: apps/cli/bundle/bin.js is not built');
  process.exit(0);
}
const MB = Number(process.env.BENCH_REMOTE_MB ?? 256);
const SAVES = 4;
const WORK = process.env.BENCH_WORK ?? path.join(os.tmpdir(), `savepoint-remotebench-${process.pid}`);
const vault = path.join(WORK, 'vault');
const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

try {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(vault, { recursive: true });
  await measure('node', [CLI, 'init', '--no-auto-retention', '--no-export-dir'], { cwd: vault });
  const per = Math.max(1, Math.round(MB / SAVES));
  let saveSeconds = 0;
  for (let i = 0; i < SAVES; i++) {
    const fd = openSync(path.join(vault, 'data.bin'), 'w');
    for (let m = 0; m < per; m++) writeSync(fd, randomBytes(1 << 20));
    closeSync(fd);
    saveSeconds += (await measure('node', [CLI, 'save', 'data.bin', '-m', `v${i + 1}`], { cwd: vault })).seconds;
  }
  console.log(`history: ${SAVES} versions of a ${per} MB file (${per * SAVES} MB), saved in ${fmtS(saveSeconds)}`);
  const branch = gitSync(vault, ['symbolic-ref', '--short', 'HEAD']).trim();

  // push: ours to a local-path remote (created on first push) vs git push to a fresh bare repo
  const oursRepo = path.join(WORK, 'ours.git');
  const gitRepo = path.join(WORK, 'git.git');
  await measure('node', [CLI, 'remote', 'add', 'usb', oursRepo, '--media', 'usb'], { cwd: vault });
  const pushOurs = await measure('node', [CLI, 'push', 'usb'], { cwd: vault });
  const pushGit = await sh(`git init -q --bare ${q(gitRepo)} && git -C ${q(vault)} push -q ${q(gitRepo)} ${branch} refs/notes/savepoint`);
  line(`push ${per * SAVES} MB history to a local bare repo`, pushOurs, pushGit);

  // clone: ours from the local-path remote vs git clone of the bare repo (no hardlinks: a real copy)
  const cloneOurs = await measure('node', [CLI, 'clone', oursRepo, path.join(WORK, 'clone-ours')], { cwd: WORK });
  const cloneGit = await sh(`git clone -q --no-local ${q(gitRepo)} ${q(path.join(WORK, 'clone-git'))}`);
  line(`clone ${per * SAVES} MB history from a local bare repo`, cloneOurs, cloneGit, 'git clone --no-local');
  console.log(`peak RSS: push ${rss(pushOurs)}, clone ${rss(cloneOurs)} (target: under 250 MB whatever the size)`);
} finally {
  rmSync(WORK, { recursive: true, force: true });
}
