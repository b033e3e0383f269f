/** A table cell: text, or null for SQL NULL. CSV and XLSX never produce null. */
export type Cell = string | null;
