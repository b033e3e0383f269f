/** One version's verify outcome: shared by verify (api/verify.ts) and the archive check (retention/archive.ts). */
export type VerifyItemStatus = 'verified' | 'corrupted' | 'missing' | 'unnoted';

export interface VerifyItem {
  path: string;
  version: number;
  commit: string;
  status: VerifyItemStatus;
  expected: string;
  actual?: string;
  message?: string;
  archive?: string;
  /** stable error code of a problem item (E_NOTE_MISSING, E_CHECKSUM_MISMATCH, …) */
  code?: string;
  /** damaged stored copies of this version's object that were skipped for an intact copy (still a problem) */
  damagedCopies?: Array<{ location: string; message: string }>;
}
