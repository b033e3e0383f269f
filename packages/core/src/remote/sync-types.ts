/** What fetch, push and pull (git transports and S3 alike) take and return. Types only. */
import type { NotesMergeAction } from './notes-ref.js';
import type { TransportOptions } from './transport.js';

export interface RemoteOpOptions extends TransportOptions {
  /** the remote's name in savepoint.json */
  remote: string;
}

export interface FetchResult {
  remote: string;
  url: string;
  /** the remote's history branch as now recorded in refs/remotes/<name>/<branch> (null: it has none) */
  branch: string | null;
  notes: { action: NotesMergeAction; remote: string | null; merged: number };
  /** tags that were new here */
  newTags: string[];
}

export interface PushResult {
  remote: string;
  url: string;
  status: 'pushed' | 'up-to-date';
  /** `retained`: after a retention rewrite, the ref on the remote that keeps its previous history */
  branch: { ref: string; from: string | null; to: string; retained?: string };
  notes: { from: string | null; to: string | null; merged: NotesMergeAction };
  tags: { pushed: string[]; conflicts: string[] };
  objects: number;
}

export interface PullResult extends FetchResult {
  status: 'fast-forward' | 'up-to-date' | 'ahead' | 'no-remote-branch';
  from: string | null;
  to: string | null;
  /** working files replaced with the pulled version (only when the history branch is checked out) */
  updatedFiles: string[];
  /** working files left alone because they had unsaved changes */
  keptFiles: string[];
}
