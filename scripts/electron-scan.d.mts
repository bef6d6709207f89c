// Types for scripts/electron-scan.mjs (imported by test/shell/electron-scan.test.ts).
export type ScanFinding = { issue: string; severity: string; file: string; at: string };
export type ParseError = { file: string; message: string; tolerable: boolean };
export type ElectronegativityIssue = {
  id: string;
  severity: { name: string };
  file: string;
  location: { line: number; column: number };
};
export declare const EXPLAINED: Record<string, Record<string, string>>;
export declare const findingsOf: (issues: readonly ElectronegativityIssue[]) => ScanFinding[];
export declare const judgeScan: (input: {
  findings: readonly ScanFinding[];
  parseErrors?: readonly ParseError[];
  explained?: Record<string, Record<string, string>>;
}) => { ok: boolean; lines: string[]; problems: string[] };
export declare const scanElectron: (p: {
  root: string;
  input: string;
  electronVersion: string;
}) => Promise<{ findings: ScanFinding[]; parseErrors: ParseError[] }>;
