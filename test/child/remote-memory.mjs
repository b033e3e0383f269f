// Child process for remote-memory.test.ts: saves a large random file (one version of SIZE_MB), pushes it
// over HTTP and to a local-path remote, clones it back over HTTP, and prints its peak RSS (MB) as JSON.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { addRemote, cloneVault, initVault, openVault, pushRemote, save } from '@savepoint/core';

const [work, httpUrl, sizeMb] = [process.env.MEM_WORK, process.env.MEM_HTTP_URL, Number(process.env.MEM_SIZE_MB)];
const author = { name: 'Mem Test', email: 'mem@example.test' };
const auth = { onAuth: () => ({ username: 'mem', password: 'mem-pass' }) };
const dir = path.join(work, 'vault');
await initVault({ dir, author, autoRetention: false, exportDir: false });
const vault = await openVault({ dir, author });
const out = createWriteStream(path.join(dir, 'big.bin'));
for (let i = 0; i < sizeMb; i++) if (!out.write(randomBytes(1 << 20))) await once(out, 'drain');
out.end();
await once(out, 'close');
await save(vault, { files: ['big.bin'], message: 'big' });
const rssAfterSaveMb = process.resourceUsage().maxRSS / 1024;
const t0 = performance.now();
const lap = (what) => process.env.MEM_TRACE && console.error(what, ((performance.now() - t0) / 1000).toFixed(1), 's', Math.round(process.resourceUsage().maxRSS / 1024), 'MB');
lap('saved');
await addRemote(vault, { name: 'web', url: httpUrl });
await pushRemote(vault, { ...auth, remote: 'web' });
lap('http push');
await addRemote(vault, { name: 'usb', url: path.join(work, 'usb.git') });
await pushRemote(vault, { remote: 'usb' });
lap('local push');
await cloneVault({ ...auth, url: httpUrl, dir: path.join(work, 'clone'), author });
lap('http clone');
console.log(JSON.stringify({ rssAfterSaveMb, maxRssMb: process.resourceUsage().maxRSS / 1024, seconds: (performance.now() - t0) / 1000 }));
