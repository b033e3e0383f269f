// isomorphic-git operations in their own process: add-commit DIR FILE | checkout DIR FILE
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
const require = createRequire(new URL('../../packages/core/package.json', import.meta.url));
const git = require('isomorphic-git');

const [op, dir, file] = process.argv.slice(2);
const author = { name: 'Bench', email: 'bench@example.com' };
if (op === 'add-commit') {
  await git.add({ fs, dir, filepath: file });
  await git.commit({ fs, dir, message: 'bench', author });
} else if (op === 'checkout') {
  await git.checkout({ fs, dir, filepaths: [file], force: true });
  if (!fs.existsSync(path.join(dir, file))) throw new Error('checkout did not write the file');
} else throw new Error(`unknown op ${op}`);
