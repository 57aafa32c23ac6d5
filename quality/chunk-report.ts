import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { validationReportSchema, type ValidationReport } from './validation-report';
import { summaryLine } from './validate-ohlcv-chunk';
import { issueLines } from '../domain/issue-lines';

/** The report lives next to its chunk: `<chunkPath>.validation.json`. */
export function reportPathFor(chunkPath: string): string {
  return `${chunkPath}.validation.json`;
}

export class ValidationReportParseError extends Error {
  override readonly name = 'ValidationReportParseError';
  readonly code = 'VALIDATION_REPORT_INVALID' as const;
  constructor(
    readonly source: string,
    readonly issues: string,
  ) {
    super(`invalid validation report ${source}: ${issues}`);
  }
}

export function serializeReport(report: ValidationReport): string {
  return `${JSON.stringify(validationReportSchema.parse(report), null, 2)}\n`;
}

/** Parses and checks report JSON; a malformed file is an error, never a silently empty report. */
export function parseReport(text: string, source = '<text>'): ValidationReport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ValidationReportParseError(source, (e as Error).message);
  }
  const parsed = validationReportSchema.safeParse(json);
  if (!parsed.success) {
    throw new ValidationReportParseError(source, issueLines(parsed.error).join('; '));
  }
  return parsed.data;
}

/** One line for the ledger and the UI, e.g. `ok 1234 records, 3 instruments; warnings: gap-unusual 1`. */
export function summariseReport(report: ValidationReport): string {
  return summaryLine(report);
}

/** Writes the report beside the chunk (temp file + rename, so a reader never sees half a report). */
export async function writeChunkReport(chunkPath: string, report: ValidationReport): Promise<string> {
  const file = reportPathFor(chunkPath);
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, serializeReport(report));
  await rename(tmp, file);
  return file;
}

export async function readChunkReport(chunkPath: string): Promise<ValidationReport> {
  const file = reportPathFor(chunkPath);
  return parseReport(await readFile(file, 'utf8'), file);
}
