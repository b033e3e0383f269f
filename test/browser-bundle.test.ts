/** The browser entry points bundle for browsers with esbuild and reach no Node built-in. */
import { describe, expect, it } from 'vitest';
import { bundleForBrowser } from './helpers/browser-bundle.js';

describe('browser bundles', () => {
  it('@savepoint/core/browser (with LightningFS and isomorphic-git/http/web) reaches no Node built-in', async () => {
    const b = await bundleForBrowser(`
      export * from '@savepoint/core/browser';
      export { default as LightningFS } from '@isomorphic-git/lightning-fs';
      export { default as http } from 'isomorphic-git/http/web';
    `);
    expect(b.nodeBuiltins).toEqual([]);
    expect(b.code).toContain('cloneVault');
    expect(b.code).not.toMatch(/\brequire\(["'](node:)?(fs|path|crypto|zlib|stream|child_process|worker_threads)["']\)/);
  });

  it('@savepoint/diff/browser reaches no Node built-in', async () => {
    const b = await bundleForBrowser(`export * from '@savepoint/diff/browser';`);
    expect(b.nodeBuiltins).toEqual([]);
    expect(b.code).toContain('diffBytes');
  });

  it('the check is real: the Node entry of @savepoint/diff is caught', async () => {
    const b = await bundleForBrowser(`export * from '../packages/diff/src/index.ts';`);
    expect(b.nodeBuiltins.some((m) => m.startsWith('node:fs'))).toBe(true);
  });
});
