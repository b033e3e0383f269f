/** Save commit messages: summary, blank line, description, trailers. Pure. */
export interface SaveMessageInput {
  summary: string;
  description?: string;
  files: { path: string; version: number; sha256: string }[];
  experiment?: string;
}

export function buildSaveMessage(input: SaveMessageInput): string {
  const lines = [input.summary.split('\n')[0]!.trim() || 'Save'];
  if (input.description && input.description.trim()) {
    lines.push('', input.description.trim());
  }
  lines.push('');
  for (const f of input.files) lines.push(`Savepoint-Version: ${f.path}=${f.version}`);
  for (const f of input.files) lines.push(`Savepoint-Sha256: ${f.path}=${f.sha256}`);
  if (input.experiment) lines.push(`Savepoint-Experiment: ${input.experiment}`);
  return lines.join('\n') + '\n';
}

export function defaultSummary(files: { path: string; version: number }[]): string {
  if (files.length === 1) return `Save ${files[0]!.path} v${files[0]!.version}`;
  return `Save ${files.length} files: ${files.map((f) => `${f.path} v${f.version}`).join(', ')}`.slice(0, 200);
}

export interface ParsedTrailers {
  versions: Map<string, number>;
  sha256: Map<string, string>;
  experiment?: string;
}

export function parseTrailers(message: string): ParsedTrailers {
  const out: ParsedTrailers = { versions: new Map(), sha256: new Map() };
  for (const line of message.split('\n')) {
    const m = /^Savepoint-(Version|Sha256|Experiment): (.*)$/.exec(line);
    if (!m) continue;
    const [, key, value] = m;
    if (key === 'Experiment') {
      out.experiment = value!;
      continue;
    }
    const eq = value!.lastIndexOf('=');
    if (eq <= 0) continue;
    const p = value!.slice(0, eq);
    const v = value!.slice(eq + 1);
    if (key === 'Version') out.versions.set(p, Number(v));
    else out.sha256.set(p, v);
  }
  return out;
}

/** First line of a commit message. */
export function summaryOf(message: string): string {
  return message.split('\n')[0] ?? '';
}

/** Body between the summary and the trailers. */
export function descriptionOf(message: string): string {
  const body = message.split('\n').slice(2);
  const kept = body.filter((l) => !/^Savepoint-(Version|Sha256|Experiment): /.test(l));
  return kept.join('\n').trim();
}
