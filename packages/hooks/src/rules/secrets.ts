/**
 * Streaming secret scanner (pure: bytes in, findings out). Bytes are read as latin1 so chunk
 * boundaries never split a character; every pattern is ASCII. Memory is bounded by `maxLineLength`
 * (+ an overlap) whatever the file size, and by `maxFindings`. Findings never contain the secret.
 */

export type SecretKind = 'private-key' | 'aws-access-key' | 'github-token' | 'slack-token' | 'assignment';

export interface SecretFinding {
  kind: SecretKind;
  /** 1-based line number. */
  line: number;
  /** For `assignment`: the key that was assigned (e.g. `password`), lower-cased. Never the value. */
  key?: string;
}

export interface SecretScanner {
  push(chunk: Uint8Array): void;
  end(): SecretFinding[];
}

export interface SecretScannerOptions {
  /** Lines longer than this are scanned in windows (default 64 KiB). */
  maxLineLength?: number;
  /** Stop collecting after this many findings (default 20). */
  maxFindings?: number;
}

interface Rule {
  kind: SecretKind;
  re: RegExp;
  /** Returns false to discard a match (placeholders); may return a key label. */
  accept?: (m: RegExpExecArray) => false | string;
}

const PLACEHOLDER_VALUES = new Set([
  'null', 'none', 'nil', 'undefined', 'true', 'false', 'changeme', 'change_me', 'password', 'secret',
  'example', 'redacted', 'todo', 'xxxx', 'your_password', 'your_api_key', 'required', 'optional',
]);

function isPlaceholder(value: string): boolean {
  if (/^[$<{%[(]/.test(value)) return true; // ${VAR}, <your key>, {{ var }}, %(name)s
  if (/^([*xX.#-])\1*$/.test(value)) return true; // ****, xxxx, ....
  return PLACEHOLDER_VALUES.has(value.toLowerCase());
}

const ASSIGN_KEYS =
  'password|passwd|passphrase|secret|secret[_-]?key|client[_-]?secret|api[_-]?key|apikey|api[_-]?secret|access[_-]?token|auth[_-]?token|private[_-]?key|aws[_-]?secret[_-]?access[_-]?key';

const RULES: readonly Rule[] = [
  { kind: 'private-key', re: /-----BEGIN (?:[A-Z0-9]{1,12} ){0,3}PRIVATE KEY(?: BLOCK)?-----/g },
  { kind: 'aws-access-key', re: /(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/g },
  { kind: 'github-token', re: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22})/g },
  {
    kind: 'slack-token',
    re: /(?<![A-Za-z0-9])(?:xox[abposre]-[A-Za-z0-9]{1,40}-[A-Za-z0-9-]{8,120}|hooks\.slack\.com\/services\/T[A-Za-z0-9_]{4,20}\/B[A-Za-z0-9_]{4,20}\/[A-Za-z0-9_]{8,40})/g,
  },
  {
    kind: 'assignment',
    re: new RegExp(`(?<![A-Za-z0-9])(${ASSIGN_KEYS})["']?[ \\t]{0,8}[:=][ \\t]{0,8}["']?([^\\s"',;&]{4,64})`, 'gi'),
    accept: (m) => (isPlaceholder(m[2] ?? '') ? false : (m[1] ?? '').toLowerCase()),
  },
];

const OVERLAP = 256; // longer than any bounded pattern above

export function createSecretScanner(options: SecretScannerOptions = {}): SecretScanner {
  const maxLineLength = Math.max(options.maxLineLength ?? 64 * 1024, OVERLAP * 2);
  const maxFindings = options.maxFindings ?? 20;
  const findings: SecretFinding[] = [];
  const seen = new Set<string>();
  let carry = '';
  let line = 1;

  const scan = (text: string, lineNo: number): void => {
    if (findings.length >= maxFindings) return;
    for (const rule of RULES) {
      rule.re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = rule.re.exec(text)) !== null) {
        const label = rule.accept ? rule.accept(m) : '';
        if (label !== false) {
          const id = `${rule.kind}:${lineNo}:${label}`;
          if (!seen.has(id)) {
            seen.add(id);
            findings.push(label ? { kind: rule.kind, line: lineNo, key: label } : { kind: rule.kind, line: lineNo });
            if (findings.length >= maxFindings) return;
          }
        }
        if (m[0].length === 0) rule.re.lastIndex++;
      }
    }
  };

  return {
    push(chunk) {
      if (findings.length >= maxFindings) return;
      let text = carry + Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
      let nl: number;
      let start = 0;
      while ((nl = text.indexOf('\n', start)) !== -1) {
        scan(text.slice(start, nl), line);
        line++;
        start = nl + 1;
      }
      text = text.slice(start);
      if (text.length > maxLineLength) {
        // A very long line: scan what we have and keep only an overlap so patterns spanning the cut are seen.
        scan(text, line);
        text = text.slice(text.length - OVERLAP);
      }
      carry = text;
    },
    end() {
      if (carry.length > 0) scan(carry, line);
      carry = '';
      findings.sort((a, b) => a.line - b.line || a.kind.localeCompare(b.kind));
      return findings;
    },
  };
}

/** Convenience for whole inputs (tests, small strings). */
export function scanForSecrets(input: string | Uint8Array, options?: SecretScannerOptions): SecretFinding[] {
  const s = createSecretScanner(options);
  s.push(typeof input === 'string' ? Buffer.from(input, 'utf8') : input);
  return s.end();
}
