import type { z } from 'zod';

/** One `path: message` line per zod issue (`root` names an issue on the value itself). Pure: workflows use it too. */
export function issueLines(error: z.ZodError, root = 'input'): string[] {
  return error.issues.map((i) => `${i.path.join('.') || root}: ${i.message}`);
}
