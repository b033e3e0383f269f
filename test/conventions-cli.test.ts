/**
 * CLI conventions across every command (issue 18): `--json` prints exactly one JSON document (NDJSON for the
 * long-running `watch`), and `-q/--quiet` prints nothing but errors. Runs the bundled CLI in a real vault with a
 * local remote, as a user would.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { git, sp, spawnJsonLines, tempDir } from './helpers/cli.js';

let root: string;
let vault: string;
const ENV = { SAVEPOINT_PASSPHRASE: 'correct horse battery staple' };

/**
 * Every command, in an order in which each one succeeds (the vault state builds up). `fails` marks runs that
 * are expected to fail; their error is a JSON document too.
 */
function commands(): { args: string[]; fails?: boolean; dataOnStdout?: boolean }[] {
  return [
    { args: ['save', 'data.csv', '-m', 'second', '-e', 'run-1'] },
    { args: ['save', 'params.json', '-m', 'params'] },
    { args: ['log'] },
    { args: ['log', 'data.csv', '-n', '1'] },
    { args: ['experiments'] },
    { args: ['find', '--kind', 'manual'] },
    { args: ['reindex'] },
    { args: ['show', 'data.csv@1'] },
    { args: ['status'] },
    { args: ['tag', 'data.csv@1'] },
    { args: ['export'] },
    { args: ['export', '--encrypt', '-o', 'enc'] },
    { args: ['decrypt', 'enc/checksums.txt.enc', '-o', 'decrypted.txt'] },
    { args: ['cat', 'data.csv@1'], dataOnStdout: true },
    { args: ['diff', 'data.csv@1', 'data.csv@2'] },
    { args: ['restore', 'data.csv@1'] },
    { args: ['verify'] },
    { args: ['repair', '--dry-run'] },
    { args: ['compact'] },
    { args: ['remote', 'add', 'usb', path.join(root, 'usb.git'), '--media', 'usb'] },
    { args: ['remote', 'list'] },
    { args: ['push'] },
    { args: ['fetch', 'usb'] },
    { args: ['pull', 'usb'] },
    { args: ['clone', path.join(root, 'usb.git'), path.join(root, 'clone')] },
    { args: ['retention', 'plan'] },
    { args: ['retention', 'expiring'] },
    { args: ['retention', 'apply', '--keep-last', '1', '-y'] },
    { args: ['archive', 'list'] },
    { args: ['archive', 'verify'] },
    { args: ['maintain', '--dry-run'] },
    { args: ['schedule', 'status'] },
    { args: ['metrics'], dataOnStdout: true },
    { args: ['doctor'] },
    { args: ['audit'] },
    { args: ['hooks', 'install', '--mode', 'plain'] },
    { args: ['hooks', 'check', 'data.csv'] },
    { args: ['hooks', 'uninstall'] },
    { args: ['completion', 'bash'], dataOnStdout: true },
    { args: ['remote', 'remove', 'usb'] },
    { args: ['show', 'data.csv@99'], fails: true },
    { args: ['save', 'missing.csv'], fails: true },
    { args: ['no-such-command'], fails: true },
    { args: ['remote'], fails: true }, // a command group without its subcommand
    { args: ['archive'], fails: true },
    { args: ['hooks'], fails: true },
    { args: ['tui'], fails: true }, // no terminal here
  ];
}

async function freshVault(name: string): Promise<string> {
  const dir = path.join(root, name);
  await fsp.mkdir(dir);
  expect(sp(dir, ['init']).code).toBe(0);
  await fsp.writeFile(path.join(dir, 'data.csv'), 'id,value\n1,a\n2,b\n');
  await fsp.writeFile(path.join(dir, 'params.json'), '{"lr": 0.1}\n');
  expect(sp(dir, ['save', 'data.csv', '-m', 'first']).code).toBe(0);
  await fsp.writeFile(path.join(dir, 'data.csv'), 'id,value\n1,a\n2,c\n');
  return dir;
}

beforeAll(async () => {
  root = await tempDir();
});

describe('--json', () => {
  beforeAll(async () => {
    vault = await freshVault('json');
  });

  it('every command prints exactly one JSON document, failures included', async () => {
    await fsp.rm(path.join(root, 'clone'), { recursive: true, force: true });
    const bad: string[] = [];
    for (const c of [{ args: ['init', path.join(root, 'json-init')] }, ...commands()]) {
      const r = sp(vault, [...c.args, '--json'], { env: ENV });
      if (c.args[0] === 'cat') {
        // cat's output is the file's bytes: with --json it refuses, as one JSON error document
        expect(r.code).toBe(2);
      } else if (!!c.fails !== (r.code !== 0)) bad.push(`${c.args.join(' ')}: exit ${r.code} ${r.stderr.slice(0, 300)}`);
      let doc: unknown;
      try {
        doc = JSON.parse(r.stdout); // one document: two concatenated documents do not parse
      } catch (e) {
        bad.push(`${c.args.join(' ')}: stdout is not one JSON document (${(e as Error).message}): ${r.stdout.slice(0, 200)}`);
        continue;
      }
      expect(typeof doc, c.args.join(' ')).toBe('object');
      if (r.code !== 0 && c.args[0] !== 'verify') expect(doc, c.args.join(' ')).toMatchObject({ ok: false, error: { code: expect.stringMatching(/^E_/) } });
    }
    expect(bad).toEqual([]);
  }, 240_000);

  it('watch --json prints one JSON document per line (NDJSON)', async () => {
    const w = spawnJsonLines(vault, ['watch', '--json', '--debounce', '100']);
    try {
      await w.waitFor((e) => e.type === 'ready');
      await fsp.writeFile(path.join(vault, 'data.csv'), 'id,value\n1,watched\n');
      await w.waitFor((e) => e.type === 'saved');
    } finally {
      w.child.kill('SIGINT');
      await w.exited;
    }
    expect(w.events.length).toBeGreaterThanOrEqual(2); // every line parsed on its own (spawnJsonLines throws otherwise)
  });
});

describe('-q/--quiet', () => {
  beforeAll(async () => {
    vault = await freshVault('quiet');
  });

  it('prints nothing but errors for every command; data asked for still goes to stdout', async () => {
    await fsp.rm(path.join(root, 'clone'), { recursive: true, force: true });
    await fsp.rm(path.join(root, 'usb.git'), { recursive: true, force: true });
    const noisy: string[] = [];
    for (const c of [{ args: ['init', path.join(root, 'quiet-init')] }, ...commands()]) {
      const r = sp(vault, ['-q', ...c.args], { env: ENV });
      const label = c.args.join(' ');
      if (c.fails) {
        expect(r.code, label).not.toBe(0);
        expect(r.stderr, label).toMatch(/error|Usage/);
        expect(r.stdout, label).toBe('');
        continue;
      }
      expect(r.code, `${label}: ${r.stderr}`).toBe(0);
      if (r.stderr !== '') noisy.push(`${label} (stderr): ${r.stderr.slice(0, 200)}`);
      if (c.dataOnStdout) expect(r.stdout.length, label).toBeGreaterThan(0);
      else if (r.stdout !== '') noisy.push(`${label} (stdout): ${r.stdout.slice(0, 200)}`);
    }
    expect(noisy).toEqual([]);
  }, 240_000);

  it('a failed command still says why', async () => {
    const dir = await freshVault('damaged');
    // damage the stored version (a fresh save is a loose object): verify's report is its error
    const oid = git(dir, ['rev-parse', 'HEAD:data.csv']).trim();
    const loose = path.join(dir, '.git/objects', oid.slice(0, 2), oid.slice(2));
    await fsp.chmod(loose, 0o644);
    await fsp.writeFile(loose, 'garbage');
    const r = sp(dir, ['-q', 'verify']);
    expect(r.code).toBe(10);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/data\.csv/);
  });
});
