import { expect, test } from 'vitest';
import { useState } from 'react';
import { Text, useInput } from 'ink';
import { render } from 'ink-testing-library';
import type { VersionRecord } from '@savepoint/core';
import { ThemeProvider } from '../theme.js';
import { HistoryPane } from './HistoryPane.js';
import { WindowedList } from './WindowedList.js';

const tick = () => new Promise<void>((r) => setImmediate(r));
async function waitFor(frame: () => string | undefined, test: (f: string) => boolean): Promise<string> {
  const end = Date.now() + 10_000;
  for (;;) {
    const f = frame() ?? '';
    if (test(f)) return f;
    if (Date.now() > end) throw new Error(`timed out; last frame:\n${f}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('a list of 100,000 items renders only its visible rows while it scrolls to the end and back', async () => {
  const items = Array.from({ length: 100_000 }, (_, i) => `item ${i}`);
  let rendered = 0;
  function Scroller() {
    const [cursor, setCursor] = useState(0);
    useInput((input) => {
      if (input === 'j') setCursor((c) => Math.min(items.length - 1, c + 1));
      if (input === 'G') setCursor(items.length - 1);
      if (input === 'g') setCursor(0);
    });
    return (
      <>
        <Text>{`at ${cursor}`}</Text>
        <WindowedList
          items={items}
          cursor={cursor}
          height={10}
          focused
          keyOf={(s) => s}
          renderRow={(s) => {
            rendered++;
            return <Text>{s}</Text>;
          }}
        />
      </>
    );
  }
  const inst = render(<Scroller />);
  const frames = () => inst.lastFrame();
  await waitFor(frames, (f) => f.includes('item 9') && f.includes('› item 0'));
  expect(frames()).not.toContain('item 10\n');
  const perFrame = rendered;
  expect(perFrame).toBeLessThanOrEqual(20); // 10 rows (React may render twice in dev)
  inst.stdin.write('G');
  const f = await waitFor(frames, (x) => x.includes('› item 99999'));
  expect(f).toContain('item 99990');
  expect(f).not.toContain('item 99989');
  for (let i = 0; i < 5; i++) {
    inst.stdin.write('g');
    await tick();
    inst.stdin.write('G');
    await tick();
  }
  await waitFor(frames, (x) => x.includes('› item 99999'));
  // every render touched at most one window of rows, never the whole list
  expect(rendered).toBeLessThan(perFrame * 40);
  inst.unmount();
});

test('the history pane opens a 100,000-version file at its newest and shows the oldest after G', async () => {
  const versions: VersionRecord[] = Array.from({ length: 100_000 }, (_, i) => {
    const version = 100_000 - i;
    return { path: 'big.csv', version, commit: version.toString(16).padStart(40, '0'), sha256: '0'.repeat(64), size: 10 + version, savedAt: '2026-05-01T09:00:00.000Z', summary: `run ${version}`, tags: [], status: 'saved' } as unknown as VersionRecord;
  });
  const view = (cursor: number) => (
    <ThemeProvider color={false}>
      <HistoryPane path="big.csv" versions={versions} cursor={cursor} focused height={12} />
    </ThemeProvider>
  );
  const inst = render(view(0));
  let f = inst.lastFrame() ?? '';
  expect(f).toContain('1/100000');
  expect(f).toMatch(/› v100000\s+2026-05-01 09:00Z/);
  expect(f).toContain('run 99992');
  expect(f).not.toContain('run 99991');
  inst.rerender(view(99_999));
  f = inst.lastFrame() ?? '';
  expect(f).toContain('100000/100000');
  expect(f).toMatch(/› v1\s/);
  expect(f).toContain('run 9');
  expect(f.split('\n').length).toBe(12);
  inst.unmount();
});
