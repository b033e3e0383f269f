// Storage engine benchmarks: Savepoint (real CLI when built, else the store API) vs native git vs
// isomorphic-git, on the same files in the same run, each operation in its own child process.
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureData } from './gen-data.mjs';
import { CLI, DATA, ROOT, cliAvailable, dirBytes, fmtMB, fmtS, gitSync, line, measure, requireBuilt, rss, sh } from './lib.mjs';

const STORE = path.join(ROOT, 'bench/child/store.mjs');
const ISO = path.join(ROOT, 'bench/child/isogit.mjs');
const only = (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean);
const want = (name) => only.length === 0 || only.includes(name);
// Vaults must live outside this repository (savepoint init refuses nested repos): work in the temp dir.
const WORK = process.env.BENCH_WORK ?? path.join(os.tmpdir(), `savepoint-bench-${process.pid}`);

function fresh(name) {
  const dir = path.join(WORK, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function spInit(dir) {
  if (cliAvailable()) await measure('node', [CLI, 'init', '.'], { cwd: dir });
  else gitSync(dir, ['init', '-q', '-b', 'main']);
}
/** Savepoint save of `name` inside vault `dir`. */
function spSave(dir, name) {
  if (cliAvailable()) return measure('node', [CLI, 'save', name, '-m', 'bench'], { cwd: dir });
  return measure('node', [STORE, 'save', path.join(dir, '.git'), path.join(dir, name)]);
}
function gitInit(dir) {
  gitSync(dir, ['init', '-q', '-b', 'main']);
}
const gitAddCommit = (dir, name) => sh(`git add ${name} && git commit -q -m bench`, { cwd: dir });

const results = {};
requireBuilt();
const how = cliAvailable() ? 'CLI' : 'store API';
console.log(`# store benchmarks (savepoint via ${how}; node ${process.version})`);
const data = await ensureData({ big: want('save1g') });
const size100 = statSync(data.csv100).size;

if (want('save')) {
  const sp = fresh('sp-save');
  await spInit(sp);
  copyFileSync(data.csv100, path.join(sp, 'data.csv'));
  const g = fresh('git-save');
  gitInit(g);
  copyFileSync(data.csv100, path.join(g, 'data.csv'));
  const iso = fresh('iso-save');
  gitInit(iso);
  copyFileSync(data.csv100, path.join(iso, 'data.csv'));
  // page cache warm for everyone
  await sh(`cat ${data.csv100} > /dev/null`);
  const ours = await spSave(sp, 'data.csv');
  const theirs = await gitAddCommit(g, 'data.csv');
  const isog = await measure('node', [ISO, 'add-commit', iso, 'data.csv']);
  results.save = line('save 100MB', ours, theirs);
  results.saveRssMB = ours.rssMB;
  console.log(`save 100MB: savepoint ${fmtS(ours.seconds)} / isomorphic-git ${fmtS(isog.seconds)} = ${(isog.seconds / ours.seconds).toFixed(1)}× faster, peak RSS ${rss(ours)} vs ${rss(isog)}`);
  // store level only (no CLI start-up, no commit): the raw engine
  const rawDir = fresh('raw-save');
  gitInit(rawDir);
  const raw = await measure('node', [STORE, 'save', path.join(rawDir, '.git'), data.csv100]).catch(() => null);
  if (raw) console.log(`save 100MB (store API only): ${fmtS(raw.seconds)}, peak RSS ${rss(raw)}`);
}

if (want('restore')) {
  const sp = fresh('sp-restore');
  await spInit(sp);
  copyFileSync(data.csv100, path.join(sp, 'data.csv'));
  await spSave(sp, 'data.csv');
  const g = fresh('git-restore');
  gitInit(g);
  copyFileSync(data.csv100, path.join(g, 'data.csv'));
  await gitAddCommit(g, 'data.csv');
  const iso = fresh('iso-restore');
  gitInit(iso);
  copyFileSync(data.csv100, path.join(iso, 'data.csv'));
  await measure('node', [ISO, 'add-commit', iso, 'data.csv']);
  let ours;
  if (cliAvailable()) {
    rmSync(path.join(sp, 'data.csv'));
    ours = await measure('node', [CLI, 'restore', 'data.csv@1'], { cwd: sp });
  } else {
    const oid = gitSync(sp, ['hash-object', data.csv100]).trim();
    ours = await measure('node', [STORE, 'restore', path.join(sp, '.git'), oid, path.join(sp, 'restored.csv')]);
  }
  rmSync(path.join(g, 'data.csv'));
  const theirs = await measure('git', ['checkout', '--', 'data.csv'], { cwd: g });
  rmSync(path.join(iso, 'data.csv'));
  const isog = await measure('node', [ISO, 'checkout', iso, 'data.csv']);
  results.restore = line('restore 100MB', ours, theirs, 'git checkout');
  console.log(`restore 100MB: savepoint ${fmtS(ours.seconds)} / isomorphic-git checkout ${fmtS(isog.seconds)}, peak RSS ${rss(ours)} vs ${rss(isog)}`);
}

if (want('verify')) {
  const sp = fresh('sp-verify');
  await spInit(sp);
  copyFileSync(data.csv100, path.join(sp, 'data.csv'));
  await spSave(sp, 'data.csv');
  const oid = gitSync(sp, ['hash-object', data.csv100]).trim();
  const ours = cliAvailable() ? await measure('node', [CLI, 'verify'], { cwd: sp }) : await measure('node', [STORE, 'verify', path.join(sp, '.git'), oid]);
  const raw = await measure('node', [STORE, 'verify', path.join(sp, '.git'), oid]);
  const theirs = await sh(`git cat-file blob ${oid} | sha256sum > /dev/null`, { cwd: sp });
  console.log(`verify 100MB: savepoint ${fmtS(ours.seconds)} = ${(size100 / 1e6 / ours.seconds).toFixed(0)} MB/s (store API ${(size100 / 1e6 / raw.seconds).toFixed(0)} MB/s) / git cat-file|sha256sum ${fmtS(theirs.seconds)} = ${(ours.seconds / theirs.seconds).toFixed(2)}, peak RSS ${rss(ours)} vs ${rss(theirs)}`);
}

if (want('save1g') && data.csv1g) {
  const sp = fresh('sp-save1g');
  await spInit(sp);
  copyFileSync(data.csv1g, path.join(sp, 'big.csv'));
  const g = fresh('git-save1g');
  gitInit(g);
  copyFileSync(data.csv1g, path.join(g, 'big.csv'));
  const ours = await spSave(sp, 'big.csv');
  const theirs = await gitAddCommit(g, 'big.csv');
  line('save 1GiB', ours, theirs);
  // the writer keeps a fixed set of buffers: peak RSS must not grow with the file (10× the bytes here)
  if (results.saveRssMB) console.log(`save memory: peak RSS ${Math.round(results.saveRssMB)} MB at 100 MB, ${Math.round(ours.rssMB)} MB at 1 GiB${ours.rssMB > results.saveRssMB * 1.25 + 8 ? ' — GROWS with file size' : ' (flat)'}`);
  rmSync(sp, { recursive: true, force: true });
  rmSync(g, { recursive: true, force: true });
}

if (want('verify1g') && cliAvailable()) {
  // verify over ~1 GB: 10 versions of a ~100 MB CSV saved through the CLI (loose objects, page cache warm).
  // Native git re-reads the same blobs into sha256sum one by one (git cat-file inflates, checking zlib's
  // Adler-32, but not the SHA-1), and `git fsck --full` checks zlib and the SHA-1 of every object (no sha256).
  const sp = fresh('sp-verify1g');
  await spInit(sp);
  for (const v of data.versions) {
    copyFileSync(v, path.join(sp, 'data.csv'));
    await spSave(sp, 'data.csv');
  }
  rmSync(path.join(sp, 'data.csv'));
  await sh('cat .git/objects/??/* > /dev/null', { cwd: sp });
  const vBytes = data.versions.reduce((n, v) => n + statSync(v).size, 0);
  const mbps = (r) => `${(vBytes / 1e6 / r.seconds).toFixed(0)} MB/s`;
  const blobs = gitSync(sp, ['cat-file', '--batch-all-objects', '--batch-check=%(objecttype) %(objectname) %(objectsize)']).split('\n').filter((l) => l.startsWith('blob ') && Number(l.split(' ')[2]) > 1e6).map((l) => l.split(' ')[1]);
  const best = (rs) => rs.reduce((a, r) => (r.seconds < a.seconds ? r : a));
  // alternate ours and native git, best of 3 each (other jobs on a shared machine make single runs noisy)
  const runs = { full: [], quick: [], nat: [] };
  for (let i = 0; i < 3; i++) {
    runs.nat.push(await sh(blobs.map((b) => `git cat-file blob ${b} | sha256sum > /dev/null`).join(' && '), { cwd: sp }));
    runs.full.push(await measure('node', [CLI, 'verify', '--no-mark'], { cwd: sp }));
    runs.quick.push(await measure('node', [CLI, 'verify', '--no-mark', '--quick'], { cwd: sp }));
  }
  const fsck = await measure('git', ['fsck', '--full', '--no-dangling'], { cwd: sp });
  // the hash floors on this machine right now: one core, 256 MiB in memory
  const floorOf = (alg) => measure('node', ['-e', `const c=require('crypto');const b=Buffer.alloc(1<<20,7);const h=c.createHash('${alg}');const t=performance.now();for(let i=0;i<256;i++)h.update(b);h.digest();console.log((256*1.048576/((performance.now()-t)/1000)).toFixed(0))`]);
  const floor256 = (await floorOf('sha256')).stdout.trim();
  const floor1 = (await floorOf('sha1')).stdout.trim();
  const [full, quick, nat] = [best(runs.full), best(runs.quick), best(runs.nat)];
  const load = os.loadavg()[0].toFixed(1);
  line(`verify ${fmtMB(vBytes)} (10 versions, full)`, full, nat, 'git cat-file|sha256sum', ` = ${mbps(full)} (native ${mbps(nat)}; best of 3)`);
  line(`verify --quick ${fmtMB(vBytes)} (10 versions)`, quick, nat, 'git cat-file|sha256sum', ` = ${mbps(quick)}`);
  line(`verify ${fmtMB(vBytes)} (10 versions, full) vs git fsck --full`, full, fsck, 'git fsck --full', ` = ${mbps(full)} vs ${mbps(fsck)}`);
  console.log(`verify floors now: sha256 ${floor256} MB/s, sha1 ${floor1} MB/s per core; load average ${load} on ${os.availableParallelism?.() ?? os.cpus().length} cores`);
  rmSync(sp, { recursive: true, force: true });
}

if (want('compact')) {
  const sp = fresh('sp-compact');
  await spInit(sp);
  const g = fresh('git-compact');
  gitInit(g);
  let spSaves = 0;
  let gitSaves = 0;
  for (const v of data.versions) {
    copyFileSync(v, path.join(sp, 'data.csv'));
    spSaves += (await spSave(sp, 'data.csv')).seconds;
    copyFileSync(v, path.join(g, 'data.csv'));
    gitSaves += (await gitAddCommit(g, 'data.csv')).seconds;
  }
  console.log(`10 saves of ~100MB versions: savepoint ${fmtS(spSaves)} / git ${fmtS(gitSaves)} = ${(spSaves / gitSaves).toFixed(2)}`);
  const loose = dirBytes(path.join(sp, '.git/objects'));
  const ours = await measure('node', [STORE, 'compact', path.join(sp, '.git')]);
  const theirs = await measure('git', ['gc', '--aggressive', '-q'], { cwd: g });
  const ourSize = dirBytes(path.join(sp, '.git/objects'));
  const gitSize = dirBytes(path.join(g, '.git/objects'));
  line('compact 10 versions', ours, theirs, 'git gc --aggressive', `, store ${fmtMB(ourSize)} vs ${fmtMB(gitSize)} = ${(ourSize / gitSize).toFixed(2)} (loose before: ${fmtMB(loose)})`);
  // after compaction the oldest version (end of a 9-delta chain) must still restore
  const oldest = gitSync(sp, ['hash-object', data.versions[0]]).trim();
  const rs = await measure('node', [STORE, 'restore', path.join(sp, '.git'), oldest, path.join(sp, 'oldest.csv')]);
  const gr = await sh(`git cat-file blob ${oldest} > oldest.csv`, { cwd: g });
  line('restore oldest of 10 after compact', rs, gr, 'git cat-file');
  if (cliAvailable()) {
    // the same through the CLI (sha256 checked against the note, temp file + rename) vs git checkout of the
    // oldest commit's file, both from their compacted/gc'ed packs
    const gOldest = gitSync(g, ['rev-list', '--reverse', 'HEAD']).split('\n')[0];
    const ours2 = await measure('node', [CLI, 'restore', 'data.csv@1', '--to', 'oldest-cli.csv'], { cwd: sp });
    const theirs2 = await measure('git', ['checkout', gOldest, '--', 'data.csv'], { cwd: g });
    line('restore data.csv@1 (end of the delta chain) after compact', ours2, theirs2, 'git checkout <oldest> -- data.csv');
  }
}

if (want('chain')) {
  // history reads from a pack with deep delta chains (what git fast-import and git gc write): reindex of 300
  // saves beside git reading the same commits and notes
  const dir = fresh('chain');
  await measure('node', [path.join(ROOT, 'bench/child/gen-saves.mjs'), dir, '300']);
  if (cliAvailable()) {
    const ours = await measure('node', [CLI, 'reindex', '--json'], { cwd: dir });
    const theirs = await measure('git', ['log', '--notes=savepoint', '--format=%H %B %N', 'main'], { cwd: dir });
    line('reindex 300 saves from a fast-import pack', ours, theirs, 'git log --notes');
  }
}
rmSync(WORK, { recursive: true, force: true });
