import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// Unit tests import workspace packages from source, so they run without a build;
// e2e tests under test/ run the built CLI (dist/) as a user would.
const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const alias = {
  '@savepoint/core/format': src('./packages/core/src/util/format.ts'),
  '@savepoint/core/checksums': src('./packages/core/src/model/checksum-line.ts'),
  '@savepoint/core/defaults': src('./packages/core/src/model/defaults.ts'),
  '@savepoint/core/browser': src('./packages/core/src/browser/index.ts'),
  '@savepoint/core': src('./packages/core/src/index.ts'),
  '@savepoint/diff/browser': src('./packages/diff/src/browser.ts'),
  '@savepoint/diff': src('./packages/diff/src/index.ts'),
  '@savepoint/errors': src('./packages/errors/src/index.ts'),
  '@savepoint/hooks': src('./packages/hooks/src/index.ts'),
  '@savepoint/tui': src('./apps/tui/src/index.ts'),
};

const project = (name: string, include: string[], extra: Record<string, unknown> = {}) => ({
  resolve: { alias },
  test: { name, include, testTimeout: 60_000, hookTimeout: 60_000, ...extra },
});

export default defineConfig({
  test: {
    projects: [
      project('core', ['packages/core/src/**/*.test.ts']),
      project('diff', ['packages/diff/src/**/*.test.ts']),
      project('errors', ['packages/errors/src/**/*.test.ts']),
      project('hooks', ['packages/hooks/src/**/*.test.ts']),
      project('cli', ['apps/cli/src/**/*.test.ts']),
      project('tui', ['apps/tui/src/**/*.test.{ts,tsx}']),
      project('web', ['apps/web/src/**/*.test.{ts,tsx}', 'apps/web/test/**/*.test.ts']),
      project('e2e', ['test/**/*.test.ts']),
    ],
  },
});
