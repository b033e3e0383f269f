/** tag: an annotated tag on the save commit of a version (`sp/<path>/v<n>` when no name is given). */
import { SavepointError } from '../errors.js';
import { assertTagName, writeAnnotatedTag } from '../history/git.js';
import { loadHistory } from '../history/versions.js';
import { buildVersionTagMessage, hasControlChar } from '../model/commit-message.js';
import { withLock } from '../util/lock.js';
import type { Vault } from '../vault.js';
import { personAt } from '../vault.js';
import { resolveVersion } from './query.js';

export interface TagOptions {
  address: string;
  name?: string;
  message?: string;
  cwd?: string;
}

export interface TagResult {
  name: string;
  path: string;
  version: number;
  commit: string;
  object: string;
}

export async function tagVersion(vault: Vault, opts: TagOptions): Promise<TagResult> {
  if (opts.message !== undefined && hasControlChar(opts.message, '\n\t')) {
    throw new SavepointError('E_INVALID_ARGUMENT', `The tag message contains a control character other than newline or tab (${JSON.stringify(opts.message.slice(0, 80))}). Remove it and tag again.`, {});
  }
  return withLock(vault.gitdir, 'tag', async () => {
    const history = await loadHistory(vault);
    const rec = await resolveVersion(vault, opts.address, opts.cwd, history);
    if (rec.archive) {
      throw new SavepointError('E_INVALID_ARGUMENT', `${rec.path}@${rec.version} is archived; restore it and save it again to tag it.`, { path: rec.path, version: rec.version });
    }
    const name = opts.name ?? `sp/${rec.path}/v${rec.version}`;
    await assertTagName(vault, name);
    if (history.tags.has(name)) {
      throw new SavepointError('E_TAG_EXISTS', `Tag "${name}" already exists (on ${history.tags.get(name)!.slice(0, 12)}). Pick another name.`, { tag: name });
    }
    const message = buildVersionTagMessage(rec, opts.message);
    const object = await writeAnnotatedTag(vault, { name, commit: rec.commit, message, tagger: personAt(vault.author, vault.clock()) });
    return { name, path: rec.path, version: rec.version, commit: rec.commit, object };
  });
}
