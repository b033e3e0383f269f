/**
 * A thin S3 object store for one remote (bucket + prefix) on @aws-sdk/client-s3, loaded lazily so no other
 * command pays for it. Credentials come only from the SDK's default chain (AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY, AWS_PROFILE and ~/.aws, instance roles): never from savepoint.json, never printed.
 * SDK errors become Savepoint errors with stable codes (E_BUCKET_NOT_FOUND, E_AUTH_FAILED, E_REMOTE_UNREACHABLE).
 */
import { createWriteStream, promises as fsp } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Readable, Transform } from 'node:stream';
import { SavepointError } from '../../errors.js';
import { parseS3Url } from './url.js';

/** S3 needs parts of at least 5 MiB (except the last). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

export interface S3RemoteSettings {
  url: string;
  endpoint?: string | undefined;
  region?: string | undefined;
}

export interface S3StoreOptions {
  /** objects above this size go up in parts of this size (default 8 MiB, at least 5 MiB) */
  partSize?: number;
  /** remote name for messages */
  name?: string;
}

type Sdk = typeof import('@aws-sdk/client-s3');
let sdkPromise: Promise<Sdk> | null = null;
function sdk(): Promise<Sdk> {
  // a bundler may hand the CommonJS SDK over as the namespace's default export
  sdkPromise ??= import('@aws-sdk/client-s3').then((m) => ((m as { S3Client?: unknown }).S3Client ? m : (m as unknown as { default: Sdk }).default));
  return sdkPromise;
}

interface AwsError {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const NETWORK = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|EPIPE|socket hang up|TimeoutError/;

export class S3Store {
  readonly bucket: string;
  readonly prefix: string;
  readonly shownUrl: string;
  private readonly partSize: number;
  private constructor(
    private readonly client: import('@aws-sdk/client-s3').S3Client,
    private readonly api: Sdk,
    private readonly settings: S3RemoteSettings,
    private readonly opts: S3StoreOptions,
  ) {
    const loc = parseS3Url(settings.url);
    this.bucket = loc.bucket;
    this.prefix = loc.prefix;
    this.shownUrl = loc.url + (settings.endpoint ? ` (${new URL(settings.endpoint).host})` : '');
    this.partSize = Math.max(MIN_PART_SIZE, opts.partSize ?? DEFAULT_PART_SIZE);
  }

  static async open(settings: S3RemoteSettings, opts: S3StoreOptions = {}): Promise<S3Store> {
    parseS3Url(settings.url);
    const api = await sdk();
    const region = settings.region ?? (settings.endpoint ? 'us-east-1' : undefined);
    const client = new api.S3Client({
      ...(region ? { region } : {}),
      ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
      maxAttempts: 2,
      // S3 servers other than AWS (MinIO, s3rver, …) may not know the newer default checksums
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    return new S3Store(client, api, settings, opts);
  }

  key(rel: string): string {
    return this.prefix ? `${this.prefix}/${rel}` : rel;
  }

  /** Map an SDK failure to a stable Savepoint error (never carrying credentials). */
  error(e: unknown, what: string): SavepointError {
    if (e instanceof SavepointError) return e;
    const err = (e ?? {}) as AwsError;
    const name = err.name ?? err.Code ?? '';
    const status = err.$metadata?.httpStatusCode;
    const remote = this.opts.name ? `remote "${this.opts.name}" (${this.shownUrl})` : this.shownUrl;
    const details = { url: this.shownUrl, bucket: this.bucket, s3Error: name || undefined, status };
    if (name === 'NoSuchBucket' || (name === 'NotFound' && what === 'checking the bucket')) {
      return new SavepointError('E_BUCKET_NOT_FOUND', `The bucket "${this.bucket}" of ${remote} does not exist. Create it first (e.g. \`aws s3 mb s3://${this.bucket}\` or in your provider's console), or fix the URL with \`savepoint remote remove\` + \`savepoint remote add\`. Nothing was changed.`, details, { cause: e });
    }
    if (['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'InvalidToken', 'ExpiredToken', 'CredentialsProviderError', 'Forbidden'].includes(name) || status === 403 || /Could not load credentials|credential/i.test(err.message ?? '')) {
      return new SavepointError('E_AUTH_FAILED', `${remote} refused the credentials while ${what} (${name || status}). Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) for an account that may read and write the bucket. Nothing was changed.`, details, { cause: e });
    }
    if (/Region is missing/i.test(err.message ?? '')) {
      return new SavepointError('E_INVALID_ARGUMENT', `No region for ${remote}: add the remote again with --region (e.g. eu-central-1), or set AWS_REGION.`, details, { cause: e });
    }
    if (NETWORK.test(`${name} ${err.code ?? ''} ${err.message ?? ''}`) || status === undefined || status >= 500) {
      return new SavepointError('E_REMOTE_UNREACHABLE', `Cannot reach ${remote} while ${what}: ${name || err.code || err.message || 'no answer'}. Check the network and --endpoint, then try again. Nothing was changed.`, details, { cause: e });
    }
    return new SavepointError('E_REMOTE_UNREACHABLE', `${remote} answered ${status} ${name} while ${what}. Nothing was changed; check the bucket's settings and try again.`, details, { cause: e });
  }

  private static missing(e: unknown): boolean {
    const err = e as AwsError;
    return err?.name === 'NoSuchKey' || (err?.name === 'NotFound' && err?.$metadata?.httpStatusCode === 404);
  }

  async checkBucket(): Promise<void> {
    try {
      await this.client.send(new this.api.HeadBucketCommand({ Bucket: this.bucket }));
    } catch (e) {
      throw this.error(e, 'checking the bucket');
    }
  }

  /** Size of an object, or null when it does not exist. */
  async head(rel: string): Promise<number | null> {
    try {
      const r = await this.client.send(new this.api.HeadObjectCommand({ Bucket: this.bucket, Key: this.key(rel) }));
      return r.ContentLength ?? 0;
    } catch (e) {
      if (S3Store.missing(e)) return null;
      throw this.error(e, `reading ${rel}`);
    }
  }

  /** A small object's bytes, or null when it does not exist. */
  async get(rel: string): Promise<Buffer | null> {
    try {
      const r = await this.client.send(new this.api.GetObjectCommand({ Bucket: this.bucket, Key: this.key(rel) }));
      return Buffer.from(await r.Body!.transformToByteArray());
    } catch (e) {
      if (S3Store.missing(e)) return null;
      throw this.error(e, `reading ${rel}`);
    }
  }

  /** Stream an object through `transforms` into `file`; false when it does not exist. */
  async getToFile(rel: string, file: string, transforms: Transform[] = []): Promise<boolean> {
    let body: Readable;
    try {
      const r = await this.client.send(new this.api.GetObjectCommand({ Bucket: this.bucket, Key: this.key(rel) }));
      body = r.Body as Readable;
    } catch (e) {
      if (S3Store.missing(e)) return false;
      throw this.error(e, `downloading ${rel}`);
    }
    try {
      await pipeline([body, ...transforms, createWriteStream(file)]);
    } catch (e) {
      if (e instanceof SavepointError) throw e;
      throw this.error(e, `downloading ${rel}`);
    }
    return true;
  }

  async put(rel: string, body: Buffer): Promise<void> {
    try {
      await this.client.send(new this.api.PutObjectCommand({ Bucket: this.bucket, Key: this.key(rel), Body: body, ContentLength: body.length }));
    } catch (e) {
      throw this.error(e, `writing ${rel}`);
    }
  }

  /**
   * Upload a file: one PUT when small, else a multipart upload read part by part (memory: one part).
   * A failed multipart upload is aborted so no half object lingers.
   */
  async putFile(rel: string, file: string, onPart?: (sent: number, total: number) => void): Promise<{ parts: number }> {
    const size = (await fsp.stat(file)).size;
    if (size <= this.partSize) {
      await this.put(rel, await fsp.readFile(file));
      onPart?.(size, size);
      return { parts: 1 };
    }
    const Key = this.key(rel);
    let uploadId: string | undefined;
    const fh = await fsp.open(file, 'r');
    try {
      const created = await this.client.send(new this.api.CreateMultipartUploadCommand({ Bucket: this.bucket, Key }));
      uploadId = created.UploadId!;
      const parts: { ETag: string; PartNumber: number }[] = [];
      const buf = Buffer.alloc(this.partSize);
      for (let off = 0, n = 1; off < size; off += this.partSize, n++) {
        const len = Math.min(this.partSize, size - off);
        const { bytesRead } = await fh.read(buf, 0, len, off);
        const r = await this.client.send(new this.api.UploadPartCommand({ Bucket: this.bucket, Key, UploadId: uploadId, PartNumber: n, Body: buf.subarray(0, bytesRead), ContentLength: bytesRead }));
        parts.push({ ETag: r.ETag!, PartNumber: n });
        onPart?.(off + len, size);
      }
      await this.client.send(new this.api.CompleteMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
      return { parts: parts.length };
    } catch (e) {
      if (uploadId) await this.client.send(new this.api.AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId: uploadId })).catch(() => undefined);
      throw this.error(e, `uploading ${rel}`);
    } finally {
      await fh.close();
    }
  }

  close(): void {
    this.client.destroy();
  }
}
