/** Reading refs straight from .git (loose files, then packed-refs), as git does; no library needed. */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { refFormatProblem } from '../model/ref-name.js';

async function readPackedRefs(gitdir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const text = await fsp.readFile(path.join(gitdir, 'packed-refs'), 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#') || line.startsWith('^')) continue;
    const sp = line.indexOf(' ');
    if (sp === 40) out.set(line.slice(41).trim(), line.slice(0, 40));
  }
  return out;
}

/** Resolve a full ref name (following symbolic refs) to an object id, or null. */
export async function readRef(gitdir: string, ref: string, depth = 0): Promise<string | null> {
  if (depth > 5) return null;
  // only refs git could have written: nothing outside .git (issue 19), no stray files such as config
  if (ref !== 'HEAD' && (!ref.startsWith('refs/') || refFormatProblem(ref) !== null)) return null;
  const text = await fsp.readFile(path.join(gitdir, ...ref.split('/')), 'utf8').catch(() => null);
  if (text !== null) {
    const t = text.trim();
    if (t.startsWith('ref: ')) return readRef(gitdir, t.slice(5), depth + 1);
    if (/^[0-9a-f]{40}$/.test(t)) return t;
  }
  return (await readPackedRefs(gitdir)).get(ref) ?? null;
}

/** Every ref under a prefix (e.g. refs/tags/) → object id, loose ones winning over packed ones. */
export async function listRefs(gitdir: string, prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [name, oid] of await readPackedRefs(gitdir)) if (name.startsWith(prefix)) out.set(name, oid);
  const walk = async (rel: string): Promise<void> => {
    const entries = await fsp.readdir(path.join(gitdir, rel), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(child);
      else if (e.isFile() && !e.name.endsWith('.lock')) {
        const oid = (await fsp.readFile(path.join(gitdir, child), 'utf8').catch(() => '')).trim();
        if (/^[0-9a-f]{40}$/.test(oid)) out.set(child, oid);
      }
    }
  };
  await walk(prefix.replace(/\/$/, ''));
  return out;
}
