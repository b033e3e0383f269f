/** Human formatting shared by the CLI and the TUI (a separate entry point: it loads nothing else of core). */
export function formatBytes(n: number): string {
  if (n < 0) return '?';
  if (n < 1024) return `${n} B`;
  // binary units, labelled as such (1,500,000,000 bytes is 1.4 GiB, not 1.4 GB)
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
