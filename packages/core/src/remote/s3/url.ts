/** s3://bucket/prefix URLs (issue 12 item 3). Pure. */
import { SavepointError } from '../../errors.js';

export interface S3Location {
  bucket: string;
  /** key prefix without leading or trailing slash ('' = bucket root) */
  prefix: string;
}

export function isS3Url(url: string): boolean {
  return /^s3:\/\//i.test(url);
}

/** Parse and check `s3://bucket[/prefix]`; credentials in the URL are refused (they would be stored). */
export function parseS3Url(url: string): S3Location & { url: string } {
  const m = /^s3:\/\/([^/?#]*)(\/[^?#]*)?$/i.exec(url.trim());
  if (!m || !m[1]) throw new SavepointError('E_INVALID_ARGUMENT', `"${url}" is not an S3 URL. Write s3://BUCKET/PREFIX, e.g. s3://lab-backups/vaults/rna.`, { url });
  if (m[1].includes('@') || m[1].includes(':')) {
    throw new SavepointError('E_INVALID_ARGUMENT', 'An s3:// URL cannot carry credentials or a port. Give the server with --endpoint URL and the keys through AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or an AWS profile (never stored).', {});
  }
  const bucket = m[1];
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new SavepointError('E_INVALID_ARGUMENT', `"${bucket}" is not a valid bucket name (3-63 lower-case letters, digits, "." or "-").`, { bucket });
  }
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((s) => s === '.' || s === '..')) throw new SavepointError('E_INVALID_ARGUMENT', `The S3 prefix "${prefix}" contains "." or "..".`, { prefix });
  return { bucket, prefix, url: `s3://${bucket}${prefix ? `/${prefix}` : ''}` };
}

/** Check an --endpoint URL: http(s), no credentials. */
export function checkEndpoint(endpoint: string): string {
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    throw new SavepointError('E_INVALID_ARGUMENT', `--endpoint "${endpoint}" is not a URL. Give the S3 server's address, e.g. https://minio.lab.example:9000.`, { endpoint });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new SavepointError('E_INVALID_ARGUMENT', `--endpoint must be an http(s) URL (got ${u.protocol}).`, { endpoint });
  if (u.username || u.password) throw new SavepointError('E_INVALID_ARGUMENT', '--endpoint must not contain credentials. Use AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or an AWS profile.', {});
  return endpoint.replace(/\/+$/, '');
}
