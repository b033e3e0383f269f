/**
 * A real local S3 server (s3rver) on 127.0.0.1 at a free port, in a child process so the CLI runs it
 * talks to (spawned synchronously by the tests) do not block it. Buckets are made up front.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface S3Server {
  endpoint: string;
  stop(): Promise<void>;
}

const SCRIPT = `
import S3rver from 's3rver';
const [dir, buckets] = [process.argv[1], process.argv[2].split(',')];
const s = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: buckets.map((name) => ({ name })) });
const { port } = await s.run();
process.stdout.write(JSON.stringify({ port }) + '\\n');
process.on('SIGTERM', () => s.close().then(() => process.exit(0)));
`;

export async function startS3Server(dir: string, buckets: string[]): Promise<S3Server> {
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT, dir, buckets.join(',')], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve((JSON.parse(buf.slice(0, nl)) as { port: number }).port);
    });
    child.on('exit', (code) => reject(new Error(`s3rver exited (${code}) before listening`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
