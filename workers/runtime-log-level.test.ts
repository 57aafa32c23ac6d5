import { describe, expect, it } from 'vitest';
import { runtimeLogLevel } from './runtime-log-level';

describe('runtimeLogLevel', () => {
  it("logs the host-queue worker's expected 'no workflows' warning at debug", () => {
    expect(runtimeLogLevel('WARN', 'No workflows registered, not polling for workflow tasks')).toBe('DEBUG');
  });

  it('keeps every other entry at the level the SDK gave it', () => {
    expect(runtimeLogLevel('WARN', 'Workflow failed')).toBe('WARN');
    expect(runtimeLogLevel('ERROR', 'No workflows registered, not polling for workflow tasks')).toBe('ERROR');
    expect(runtimeLogLevel('INFO', 'Worker state changed')).toBe('INFO');
  });
});
