/**
 * JSON diffs as a tree of changed paths: each changed value under its parents, one line each, indented by
 * depth, with a marker that needs no colour (`+` added, `-` removed, `~` changed, `↕` reordered). Pure,
 * from @savepoint/diff's structured changes (their path segments), not from its text rendering.
 */
import type { JsonPathSegment, JsonResultChange } from '@savepoint/diff';
import { isClipped } from '@savepoint/diff';

export type TreeOp = 'add' | 'remove' | 'change' | 'reorder' | 'parent';

export interface TreeLine {
  depth: number;
  op: TreeOp;
  text: string;
}

const MARK: Record<TreeOp, string> = { add: '+', remove: '-', change: '~', reorder: '↕', parent: ' ' };
export const treeMark = (op: TreeOp) => MARK[op];

function segmentLabel(s: JsonPathSegment): string {
  if (typeof s === 'number') return `[${s}]`;
  if (typeof s === 'string') return s;
  return `[${s.field}=${JSON.stringify(s.value)}]`;
}

/** A JSON value on one line, cut at `max` characters. */
export function valueText(v: unknown, max = 60): string {
  if (v === undefined) return '';
  if (isClipped(v)) return `${v.head.slice(0, max)}… (${v.bytes} B)`;
  const s = JSON.stringify(v);
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

export function jsonTree(changes: readonly JsonResultChange[]): TreeLine[] {
  const out: TreeLine[] = [];
  let open: string[] = [];
  for (const c of changes) {
    const labels = c.segments.map(segmentLabel);
    const parents = labels.slice(0, -1);
    let same = 0;
    while (same < parents.length && same < open.length && open[same] === parents[same]) same++;
    for (let d = same; d < parents.length; d++) out.push({ depth: d, op: 'parent', text: parents[d]! });
    open = parents;
    const name = labels.length ? labels[labels.length - 1]! : '$';
    const old = valueText(c.oldClipped ?? c.old);
    const neu = valueText(c.newClipped ?? c.new);
    const text =
      c.op === 'add' ? `${name}: ${neu}`
      : c.op === 'remove' ? `${name}: ${old}`
      : c.op === 'change' ? `${name}: ${old} → ${neu}`
      : `${name}: order changed${c.field ? ` (by ${c.field})` : ''}`;
    out.push({ depth: parents.length, op: c.op, text });
  }
  return out;
}

/** A tree line as text: marker, indentation, label. */
export function treeLineText(l: TreeLine): string {
  return `${MARK[l.op]} ${'  '.repeat(l.depth)}${l.text}`;
}
