/** A JSON diff as a tree of changed paths (see state/json-tree.ts), one page at a time. */
import { Text } from 'ink';
import { treeLineText } from '../state/json-tree.js';
import type { TreeLine } from '../state/json-tree.js';
import { useTheme } from '../theme.js';

export function JsonTreeView({ lines, scroll, rows }: { lines: TreeLine[]; scroll: number; rows: number }) {
  const t = useTheme();
  const color = (l: TreeLine) => (l.op === 'add' ? t.ok : l.op === 'remove' ? t.bad : l.op === 'change' || l.op === 'reorder' ? t.warn : undefined);
  return (
    <>
      {lines.slice(scroll, scroll + rows).map((l, i) => (
        <Text key={scroll + i} wrap="truncate-end" {...(color(l) ? { color: color(l) } : { bold: true })}>
          {treeLineText(l)}
        </Text>
      ))}
    </>
  );
}
