// Store-level operations in their own process (so peak RSS is the operation's own).
//   save GITDIR FILE | verify GITDIR OID | restore GITDIR OID DEST | compact GITDIR
import { writeBlobFromFile, digestBlob, readBlobToFile } from '../../packages/core/dist/store/object-store.js';
import { compactObjects } from '../../packages/core/dist/store/compact.js';

const [op, gitdir, a, b] = process.argv.slice(2);
let out;
if (op === 'save') out = await writeBlobFromFile(gitdir, a);
else if (op === 'verify') out = await digestBlob(gitdir, a);
else if (op === 'restore') out = await readBlobToFile(gitdir, a, b);
else if (op === 'compact') out = await compactObjects({ gitdir });
else throw new Error(`unknown op ${op}`);
console.log(JSON.stringify(out));
