import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from 'vitest';
import { addRemote, save } from '@savepoint/core';
import { gitCli, makeTempVault } from '../../../../packages/core/src/testing/temp-vault.js';
import type { TempVault } from '../../../../packages/core/src/testing/temp-vault.js';
import { startGitHttpServer } from '../../../../test/helpers/git-http-server.js';
import type { GitHttpServer } from '../../../../test/helpers/git-http-server.js';
import { closeApp, drive, KEYS } from '../testing/harness.js';
import type { Driven } from '../testing/harness.js';

const USER = 'ada';
const PASSWORD = 'pw-never-shown-9f2';
let server: GitHttpServer;
let tv: TempVault;
let app: Driven | null = null;

beforeAll(async () => {
  server = await startGitHttpServer({ users: { [USER]: PASSWORD } });
});
afterAll(async () => {
  await server?.stop({ removeRoot: true });
});

beforeEach(async () => {
  tv = await makeTempVault();
  await tv.write('data.csv', 'id,value\n1,a\n');
  await save(tv.vault, { files: ['data.csv'], message: 'first' });
  await tv.write('data.csv', 'id,value\n1,b\n');
  await save(tv.vault, { files: ['data.csv'], message: 'second' });
});

afterEach(async () => {
  await closeApp(app, tv.dir);
  app = null;
});

const start = (password = PASSWORD) =>
  (app = drive({ dir: tv.dir, clock: tv.clock, author: { name: 'Ada Tester', email: 'ada@example.test' }, color: false, remoteAuth: { onAuth: () => ({ username: USER, password }) } }));

test('c shows remotes and copies; u pushes after confirm and the copies count follows', async () => {
  const name = `r${Date.now()}`;
  const bare = await server.createBareRepo(name);
  await addRemote(tv.vault, { name: 'cloud', url: server.url(name), media: 'cloud' });
  const a = start();
  await a.waitFor('History: data.csv');
  await a.press('c');
  let f = await a.waitFor('Remotes and copies');
  f = await a.waitFor(/cloud\s+cloud\s+off-site\s+never pushed/);
  expect(f).toMatch(/data\.csv@2: 1 copy \(this vault\)/);
  expect(f).toContain('3-2-1: 0 of 2 versions');
  await a.press('u');
  await a.waitFor('Push to cloud?');
  await a.press('y');
  f = await a.waitFor('Push finished');
  expect(f).toMatch(/✓ cloud: pushed/);
  await a.press('x');
  f = await a.waitFor((fr) => fr.includes('Pushed to cloud.') && /data\.csv@2: 2 copies \(this vault, cloud\)/.test(fr));
  expect(f).toMatch(/cloud\s+cloud\s+off-site\s+pushed 2026-05-01/);
  // the server really holds the history branch and the notes now (asked with the real git binary)
  expect(gitCli(bare, ['rev-parse', 'refs/heads/main']).trim()).toBe(tv.git(['rev-parse', 'refs/heads/main']).trim());
  expect(gitCli(bare, ['rev-parse', 'refs/notes/savepoint']).trim()).toBe(tv.git(['rev-parse', 'refs/notes/savepoint']).trim());
  for (const fr of a.frames) expect(fr).not.toContain(PASSWORD);
  // moving to v1 shows its copies
  await a.press(KEYS.tab, 'j');
  await a.waitFor(/data\.csv@1: 2 copies \(this vault, cloud\)/);
});

test('a refused password shows the error code, never the password', async () => {
  const name = `r${Date.now()}b`;
  await server.createBareRepo(name);
  await addRemote(tv.vault, { name: 'nas', url: server.url(name), media: 'nas' });
  const a = start('wrong-password-77');
  await a.waitFor('History: data.csv');
  await a.press('c');
  await a.waitFor(/nas\s+nas\s+on-site/);
  await a.press('u');
  await a.waitFor('Push to nas?');
  await a.press(KEYS.enter);
  const f = await a.waitFor('Push finished');
  expect(f).toMatch(/✗ nas: \[E_AUTH_FAILED\]/);
  await a.press('x');
  await a.waitFor('[E_AUTH_FAILED]');
  for (const fr of a.frames) expect(fr).not.toContain('wrong-password-77');
});

test('without remotes the view says how to add one and u explains', async () => {
  const a = start();
  await a.waitFor('History: data.csv');
  await a.press('c');
  await a.waitFor('No remotes yet');
  await a.press('u');
  await a.waitFor('No remotes to push to');
});
