/** Progress events for long work; the CLI draws them on a TTY, the TUI in a pane. */
export interface ProgressEvent {
  phase: string;
  loaded: number;
  total: number;
  /** optional label, e.g. the file being processed */
  item?: string;
}
export type ProgressCallback = (event: ProgressEvent) => void;
