import { z } from 'zod';

/** One server warning, e.g. `{ category: 'SymbologyWarning', message: '...' }`. */
export interface DatabentoWarning {
  category: string;
  message: string;
}

const headerSchema = z.array(z.string());

/**
 * Parses `X-Warning`: a JSON array of `"<Category>: <message>"` strings (split on the first `": "`).
 * A header that is not such an array is kept whole as one `Unparsed` warning, as the official clients log it raw.
 */
export function parseWarningHeader(value: string | string[] | undefined): DatabentoWarning[] {
  if (value === undefined) return [];
  const values = Array.isArray(value) ? value : [value];
  const out: DatabentoWarning[] = [];
  for (const raw of values) {
    let items: string[];
    try {
      items = headerSchema.parse(JSON.parse(raw));
    } catch {
      if (raw.trim() !== '') out.push({ category: 'Unparsed', message: raw });
      continue;
    }
    for (const item of items) out.push(splitWarning(item));
  }
  return out;
}

function splitWarning(item: string): DatabentoWarning {
  const at = item.indexOf(': ');
  if (at <= 0) return { category: 'Warning', message: item };
  return { category: item.slice(0, at), message: item.slice(at + 2) };
}
