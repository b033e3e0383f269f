import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasBlock, huskyBlock, insertBlock, plainBlock, removeBlock, runsLintStaged, shebangInterpreter } from './hook-script.js';

describe('hook script blocks', () => {
  const line = fc.constantFrom('#!/bin/sh', 'echo hi', 'set -e', 'exit 0', 'exit', 'npm test', '', '  # comment', 'if true; then', 'fi');
  const script = fc.tuple(fc.array(line, { maxLength: 8 }), fc.boolean()).map(([ls, nl]) => ls.join('\n') + (nl && ls.length ? '\n' : ''));

  it('insert then remove gives back the exact original', () => {
    fc.assert(
      fc.property(script, fc.constantFrom(huskyBlock(), plainBlock('savepoint-hooks check')), (text, block) => {
        const ins = insertBlock(text, block);
        expect(hasBlock(ins.text)).toBe(true);
        expect(removeBlock(ins.text, ins.inserted, block)).toBe(text);
      }),
    );
  });

  it('appends at the end, after the existing lines', () => {
    const ins = insertBlock('#!/bin/sh\necho mine', huskyBlock());
    expect(ins.text).toBe(`#!/bin/sh\necho mine\n${huskyBlock()}`);
    expect(ins.beforeExit).toBe(false);
  });

  it('goes before a final exit so it still runs', () => {
    const ins = insertBlock('#!/bin/sh\necho mine\nexit 0\n', huskyBlock());
    expect(ins.text).toBe(`#!/bin/sh\necho mine\n${huskyBlock()}exit 0\n`);
    expect(ins.beforeExit).toBe(true);
  });

  it('removes a block the user edited by its markers, keeping lines they added after it', () => {
    const ins = insertBlock('echo a\n', huskyBlock());
    const edited = `${ins.text.replace('npx lint-staged', 'npx lint-staged --verbose')}echo b\n`;
    expect(removeBlock(edited, ins.inserted, huskyBlock())).toBe('echo a\necho b\n');
  });

  it('recognises interpreters and lint-staged calls', () => {
    expect(shebangInterpreter('#!/usr/bin/env python3\n')).toBe('python3');
    expect(shebangInterpreter('#!/bin/bash -e\n')).toBe('bash');
    expect(shebangInterpreter('echo\n')).toBeNull();
    expect(runsLintStaged('npx lint-staged\n')).toBe(true);
    expect(runsLintStaged('pnpm exec lint-staged --concurrent false\n')).toBe(true);
    expect(runsLintStaged('# npx lint-staged\nnpm test\n')).toBe(false);
  });
});
