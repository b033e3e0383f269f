/**
 * Temp files and locks that must not outlive an interrupted command. Core registers them; the CLI calls
 * `cleanupNow()` from its SIGINT/SIGTERM handler so Ctrl-C leaves the vault and the user's files as before.
 */
import fs from 'node:fs';

const pending = new Set<string>();

export function trackTemp(file: string): () => void {
  pending.add(file);
  return () => pending.delete(file);
}

export function cleanupNow(): void {
  for (const f of pending) {
    try {
      fs.rmSync(f, { force: true });
    } catch {
      // best effort on the way out
    }
  }
  pending.clear();
}
