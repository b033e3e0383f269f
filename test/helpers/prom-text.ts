/**
 * A small, strict parser of the Prometheus text exposition format (0.0.4), for tests: every sample must
 * belong to a family declared by # HELP and # TYPE before it, names and labels must be well-formed, label
 * values correctly escaped, no series repeated, and histograms consistent (cumulative buckets ending in
 * +Inf equal to _count, plus _sum). Throws on the first violation, naming the line.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function parseValue(text: string, where: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`${where}: bad value "${text}"`);
  return Number(text);
}

function parseLabels(text: string, where: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let i = 1; // after '{'
  for (;;) {
    if (text[i] === '}') return { labels, rest: text.slice(i + 1) };
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new Error(`${where}: label without "="`);
    const name = text.slice(i, eq);
    if (!LABEL.test(name) || name.startsWith('__')) throw new Error(`${where}: bad label name "${name}"`);
    if (name in labels) throw new Error(`${where}: label "${name}" twice`);
    if (text[eq + 1] !== '"') throw new Error(`${where}: label value not quoted`);
    let j = eq + 2;
    let value = '';
    for (;;) {
      const c = text[j];
      if (c === undefined) throw new Error(`${where}: unterminated label value`);
      if (c === '\n') throw new Error(`${where}: raw newline in label value`);
      if (c === '"') break;
      if (c === '\\') {
        const n = text[j + 1];
        if (n === 'n') value += '\n';
        else if (n === '\\' || n === '"') value += n;
        else throw new Error(`${where}: bad escape "\\${n}" in label value`);
        j += 2;
        continue;
      }
      value += c;
      j += 1;
    }
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i += 1;
    else if (text[i] !== '}') throw new Error(`${where}: expected "," or "}" after a label`);
  }
}

export function parsePrometheusText(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  let current: Family | null = null;
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, n) => {
    const where = `line ${n + 1} "${line}"`;
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) return; // plain comment
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!NAME.test(name)) throw new Error(`${where}: bad metric name`);
      if (kind === 'HELP') {
        if (families.has(name)) throw new Error(`${where}: family declared twice`);
        current = { name, help: rest, type: 'untyped', samples: [] };
        families.set(name, current);
      } else {
        if (!current || current.name !== name) throw new Error(`${where}: TYPE without its HELP just before`);
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`${where}: bad type`);
        if (current.samples.length) throw new Error(`${where}: TYPE after samples`);
        current.type = rest as Family['type'];
      }
      return;
    }
    const nameEnd = line.search(/[{ ]/);
    if (nameEnd <= 0) throw new Error(`${where}: no metric name`);
    const name = line.slice(0, nameEnd);
    if (!NAME.test(name)) throw new Error(`${where}: bad metric name`);
    let labels: Record<string, string> = {};
    let rest = line.slice(nameEnd);
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, where));
    const parts = rest.trim().split(/\s+/);
    if (!rest.startsWith(' ') || parts.length < 1 || parts.length > 2) throw new Error(`${where}: expected " value [timestamp]"`);
    const value = parseValue(parts[0]!, where);
    const fam = current as Family | null;
    if (!fam) throw new Error(`${where}: sample before any HELP/TYPE`);
    const allowed = fam.type === 'histogram' ? [`${fam.name}_bucket`, `${fam.name}_sum`, `${fam.name}_count`] : fam.type === 'summary' ? [fam.name, `${fam.name}_sum`, `${fam.name}_count`] : [fam.name];
    if (!allowed.includes(name)) throw new Error(`${where}: sample does not belong to family ${fam.name} (${fam.type})`);
    if (fam.type === 'counter' && !(value >= 0)) throw new Error(`${where}: negative counter`);
    const id = `${name}{${Object.entries(labels).sort().map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
    if (seen.has(id)) throw new Error(`${where}: series repeated`);
    seen.add(id);
    fam.samples.push({ name, labels, value });
  });
  for (const fam of families.values()) {
    if (fam.type !== 'histogram') continue;
    const buckets = fam.samples.filter((s) => s.name.endsWith('_bucket'));
    if (!buckets.length) throw new Error(`${fam.name}: histogram without buckets`);
    let prevLe = -Infinity;
    let prev = 0;
    for (const b of buckets) {
      if (!('le' in b.labels)) throw new Error(`${fam.name}: bucket without le`);
      const le = parseValue(b.labels.le!, `${fam.name} le`);
      if (!(le > prevLe)) throw new Error(`${fam.name}: buckets not in increasing le order`);
      if (b.value < prev) throw new Error(`${fam.name}: bucket counts not cumulative`);
      prevLe = le;
      prev = b.value;
    }
    if (prevLe !== Infinity) throw new Error(`${fam.name}: last bucket is not +Inf`);
    const count = fam.samples.find((s) => s.name === `${fam.name}_count`);
    const sum = fam.samples.find((s) => s.name === `${fam.name}_sum`);
    if (!count || !sum) throw new Error(`${fam.name}: histogram without _sum and _count`);
    if (count.value !== prev) throw new Error(`${fam.name}: +Inf bucket (${prev}) differs from _count (${count.value})`);
  }
  return families;
}

/** The value of one series (labels must match exactly); undefined when absent. */
export function sampleValue(families: Map<string, Family>, family: string, labels: Record<string, string> = {}, name = family): number | undefined {
  const f = families.get(family);
  const want = JSON.stringify(Object.entries(labels).sort());
  return f?.samples.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want)?.value;
}
