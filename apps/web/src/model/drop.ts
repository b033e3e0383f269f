/** Reading what the user dropped or picked: folders (a vault to open) and files (to save). DOM types, no React. */
import type { DroppedFile } from '../vault/types.js';

/** Files picked with `<input webkitdirectory>`: paths relative to the picked folder, and its name. */
export function fromDirectoryInput(list: FileList): { name: string; files: DroppedFile[] } {
  const files: DroppedFile[] = [];
  let name = '';
  for (const f of Array.from(list)) {
    const rel = f.webkitRelativePath || f.name;
    const slash = rel.indexOf('/');
    if (!name) name = slash > 0 ? rel.slice(0, slash) : rel;
    files.push({ path: slash > 0 ? rel.slice(slash + 1) : rel, file: f });
  }
  return { name, files };
}

function readEntries(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  return new Promise((resolve, reject) => {
    const more = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) return resolve(all);
        all.push(...batch);
        more();
      }, reject);
    more();
  });
}

async function walk(entry: FileSystemEntry, prefix: string, out: DroppedFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ path: prefix + entry.name, file });
  } else if (entry.isDirectory) {
    for (const e of await readEntries(entry as FileSystemDirectoryEntry)) await walk(e, `${prefix}${entry.name}/`, out);
  }
}

export type Dropped = { kind: 'folder'; name: string; files: DroppedFile[] } | { kind: 'files'; files: File[] } | { kind: 'nothing' };

/** A drop is a folder (a vault to open) when its first item is a directory, else the files to save. */
export async function readDrop(dt: DataTransfer): Promise<Dropped> {
  const items = Array.from(dt.items ?? []).filter((i) => i.kind === 'file');
  const entries = items.map((i) => (typeof i.webkitGetAsEntry === 'function' ? i.webkitGetAsEntry() : null));
  const dir = entries.find((e): e is FileSystemDirectoryEntry => !!e && e.isDirectory);
  if (dir) {
    const files: DroppedFile[] = [];
    for (const e of await readEntries(dir)) await walk(e, '', files);
    return { kind: 'folder', name: dir.name, files };
  }
  const files = Array.from(dt.files ?? []);
  return files.length ? { kind: 'files', files } : { kind: 'nothing' };
}

/** Where a dropped file is saved by default: the vault path with the same file name, else the name itself. */
export function defaultSavePath(fileName: string, vaultPaths: readonly string[], selected?: string): string {
  if (selected && selected.split('/').pop() === fileName) return selected;
  return vaultPaths.find((p) => p.split('/').pop() === fileName) ?? fileName;
}

/** A vault path the user typed, or the reason it cannot be saved there. */
export function checkSavePath(path: string): string | null {
  const p = path.trim();
  if (!p) return 'Give the file a path in the vault, e.g. data/prices.csv.';
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) return 'Use a path relative to the vault, without a leading slash.';
  if (p.split('/').some((s) => s === '' || s === '.' || s === '..')) return 'A path cannot have empty, "." or ".." parts.';
  if (p === '.git' || p.startsWith('.git/') || p.startsWith('.savepoint/')) return 'That path is reserved for the vault itself.';
  return null;
}
