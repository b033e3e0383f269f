/**
 * How the built CLI loads and refuses the app: other commands never load Ink, React or @savepoint/tui
 * (checked with a module-resolve hook in the real process), and `savepoint tui` without a terminal fails
 * with a code instead of drawing. Needs `npx tsc -b` first, like the e2e suite.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, promises as fsp } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { save } from '@savepoint/core';
import { makeTempVault } from '../../../packages/core/src/testing/temp-vault.js';
import { cleanEnv } from '../../../packages/core/src/testing/clean-env.js';
import type { TempVault } from '../../../packages/core/src/testing/temp-vault.js';

const BIN = fileURLToPath(new URL('../../cli/dist/bin.js', import.meta.url));
let tv: TempVault;
let register: string;

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npx tsc -b\` before this test`);
  tv = await makeTempVault();
  await tv.write('data.csv', 'a,b\n1,2\n');
  await save(tv.vault, { files: ['data.csv'], message: 'first' });
  const dir = path.dirname(tv.dir);
  // a resolve hook that reports every Ink / React / TUI module the process loads
  await fsp.writeFile(
    path.join(dir, 'hooks.mjs'),
    `import { writeSync } from 'node:fs';
export async function resolve(spec, ctx, next) {
  const r = await next(spec, ctx);
  if (/node_modules\\/(\\.pnpm\\/)?(ink|react|@inkjs)[@/+]/.test(r.url) || /apps\\/tui\\//.test(r.url)) writeSync(2, 'LOADED ' + r.url + '\\n');
  return r;
}
`,
  );
  register = path.join(dir, 'register.mjs');
  await fsp.writeFile(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(path.join(dir, 'hooks.mjs')).href)});\n`);
});

afterAll(async () => {
  await tv?.cleanup();
});

const run = (args: string[], extra: string[] = []) => {
  const env: NodeJS.ProcessEnv = cleanEnv({ NO_COLOR: '1' });
  delete env.CI;
  return spawnSync(process.execPath, [...extra, BIN, ...args], { cwd: tv.dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
};

test('the hook sees the TUI modules when they load (so its silence below means something)', () => {
  const r = run(['tui'], ['--import', register]);
  expect(r.stderr).toMatch(/LOADED .*apps\/tui\//);
  expect(r.stderr).toMatch(/LOADED .*ink/);
});

test('other commands never load Ink, React or the TUI', () => {
  for (const args of [['log'], ['status'], ['verify'], ['--help']]) {
    const r = run(args, ['--import', register]);
    expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    expect(r.stderr).not.toContain('LOADED');
  }
});

test('savepoint tui without a terminal fails with E_NOT_A_TERMINAL', () => {
  const r = run(['tui']);
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain('[E_NOT_A_TERMINAL]');
  const j = run(['tui', '--json']);
  expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, error: { code: 'E_NOT_A_TERMINAL' } });
});
