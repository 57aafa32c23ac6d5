import type { z } from 'zod';
import { DatabentoValidationError } from './errors';

/** Validates a method's input before any request; the error names the field but never echoes values. */
export function parseInput<S extends z.ZodType>(method: string, schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new DatabentoValidationError(
    method,
    parsed.error.issues.map((i) => ({ path: i.path.length ? i.path.join('.') : '(input)', message: i.message })),
  );
}
