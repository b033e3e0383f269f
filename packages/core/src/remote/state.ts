/** When each remote was last pushed to / fetched from (.git/savepoint/remotes.json); shown by status. */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';

export interface RemoteSyncState {
  lastPush?: string;
  lastFetch?: string;
  /** last ls-remote/fetch/push that saw the remote's refs */
  lastSeen?: string;
}

export type RemoteStates = Record<string, RemoteSyncState>;

function file(gitdir: string): string {
  return path.join(gitdir, 'savepoint', 'remotes.json');
}

export async function readRemoteStates(gitdir: string): Promise<RemoteStates> {
  try {
    return JSON.parse(await fsp.readFile(file(gitdir), 'utf8')) as RemoteStates;
  } catch {
    return {};
  }
}

export async function updateRemoteState(gitdir: string, name: string, patch: RemoteSyncState): Promise<void> {
  const all = await readRemoteStates(gitdir);
  all[name] = { ...all[name], ...patch };
  const f = file(gitdir);
  await writeFileAtomic(f, JSON.stringify(all, null, 2) + '\n');
}
