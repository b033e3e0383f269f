/** Pure formatting helpers for the page (no DOM, no I/O). */

export function formatBytes(n: number): string {
  if (n < 0) return 'unknown size';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** `2026-05-01 14:03` in UTC, so the same on every machine and in tests. */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().slice(0, 16).replace('T', ' ');
}

export function shortSha(sha: string, n = 12): string {
  return sha.slice(0, n);
}

/** A vault URL from the page's query string (`?vault=<url>`), or null. */
export function vaultUrlFromSearch(search: string): string | null {
  const v = new URLSearchParams(search).get('vault');
  if (!v) return null;
  const t = v.trim();
  return /^https?:\/\//i.test(t) ? t : null;
}

/** The query string that opens `url` (kept in the address bar so a reload or a shared link reopens it). */
export function searchForVault(url: string): string {
  return `?${new URLSearchParams({ vault: url }).toString()}`;
}

/** A safe file name for downloading `path@version`: `prices.v3.csv`. */
export function downloadName(path: string, version: number): string {
  const base = path.split('/').pop() || 'file';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? `${base.slice(0, dot)}.v${version}${base.slice(dot)}` : `${base}.v${version}`;
}
