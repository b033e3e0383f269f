/** The end of every fetch, over a git transport or from an S3 bucket: notes merged, new tags listed, state recorded. */
import { listRefs } from '../history/refs.js';
import type { Vault } from '../vault.js';
import { mergeNotesRef } from './notes-ref.js';
import { updateRemoteState } from './state.js';
import type { FetchResult } from './sync-types.js';

export async function finishFetch(vault: Vault, name: string, shownUrl: string, remoteBranch: string | null, remoteNotes: string | null, tagsBefore: Set<string>): Promise<FetchResult> {
  const notes = await mergeNotesRef(vault, remoteNotes, `remote '${name}'`);
  const newTags = [...(await listRefs(vault.gitdir, 'refs/tags/')).keys()].filter((t) => !tagsBefore.has(t)).map((t) => t.slice('refs/tags/'.length));
  const now = vault.clock().toISOString();
  await updateRemoteState(vault.gitdir, name, { lastFetch: now, lastSeen: now });
  return { remote: name, url: shownUrl, branch: remoteBranch, notes: { action: notes.action, remote: remoteNotes, merged: notes.merged }, newTags };
}
