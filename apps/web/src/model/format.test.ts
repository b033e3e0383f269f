import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { downloadName, formatBytes, formatDate, searchForVault, vaultUrlFromSearch } from './format.js';
import { nextIndex } from './list-nav.js';
import { checkSavePath, defaultSavePath } from './drop.js';

describe('format', () => {
  it('sizes, dates and download names', () => {
    expect(formatBytes(-1)).toBe('unknown size');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(10 * 1024 * 1024)).toBe('10 MB');
    expect(formatDate('2026-05-01T09:03:00.000Z')).toBe('2026-05-01 09:03');
    expect(formatDate('not a date')).toBe('not a date');
    expect(downloadName('data/prices.csv', 3)).toBe('prices.v3.csv');
    expect(downloadName('README', 2)).toBe('README.v2');
    expect(downloadName('.env', 1)).toBe('.env.v1');
  });

  it('?vault= round-trips any http(s) URL and refuses other schemes', () => {
    fc.assert(
      fc.property(fc.constantFrom('http', 'https'), fc.stringMatching(/^[a-z0-9.-]{1,20}(:[0-9]{1,5})?$/), fc.string({ unit: 'grapheme', maxLength: 40 }), (scheme, host, rest) => {
        const url = `${scheme}://${host}/${rest}`;
        if (url.trim() !== url) return;
        expect(vaultUrlFromSearch(searchForVault(url))).toBe(url);
      }),
    );
    expect(vaultUrlFromSearch('?vault=javascript:alert(1)')).toBeNull();
    expect(vaultUrlFromSearch('?other=1')).toBeNull();
  });
});

describe('list keys', () => {
  it('moves and stays inside the list', () => {
    expect(nextIndex('ArrowDown', 0, 3)).toBe(1);
    expect(nextIndex('ArrowDown', 2, 3)).toBe(2);
    expect(nextIndex('ArrowUp', 0, 3)).toBe(0);
    expect(nextIndex('ArrowUp', -1, 3)).toBe(2);
    expect(nextIndex('Home', 2, 3)).toBe(0);
    expect(nextIndex('End', 0, 3)).toBe(2);
    expect(nextIndex('PageDown', 0, 30)).toBe(10);
    expect(nextIndex('x', 0, 3)).toBeNull();
    expect(nextIndex('ArrowDown', 0, 0)).toBeNull();
    fc.assert(
      fc.property(fc.constantFrom('ArrowDown', 'ArrowUp', 'Home', 'End', 'PageDown', 'PageUp'), fc.integer({ min: -1, max: 200 }), fc.integer({ min: 1, max: 100 }), (key, at, len) => {
        const to = nextIndex(key, at, len)!;
        expect(to).toBeGreaterThanOrEqual(0);
        expect(to).toBeLessThan(len);
      }),
    );
  });
});

describe('saving a dropped file', () => {
  it('defaults to the vault path with the same name, preferring the selected file', () => {
    expect(defaultSavePath('prices.csv', ['a/prices.csv', 'b/prices.csv'])).toBe('a/prices.csv');
    expect(defaultSavePath('prices.csv', ['a/prices.csv', 'b/prices.csv'], 'b/prices.csv')).toBe('b/prices.csv');
    expect(defaultSavePath('new.csv', ['a/prices.csv'], 'a/prices.csv')).toBe('new.csv');
  });
  it('refuses paths outside the vault or into its internals', () => {
    for (const bad of ['', '  ', '/etc/passwd', 'C:/x', 'a/../b', './a', 'a//b', '.git/config', '.savepoint/x']) expect(checkSavePath(bad), bad).not.toBeNull();
    expect(checkSavePath('data/prices.csv')).toBeNull();
  });
});
