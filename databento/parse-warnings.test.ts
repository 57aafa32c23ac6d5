import { describe, expect, it } from 'vitest';
import { parseWarningHeader } from './parse-warnings';

describe('parseWarningHeader', () => {
  it('splits each "Category: message" on the first ": "', () => {
    const header = JSON.stringify([
      'SymbologyWarning: The following symbols could not be resolved: NQ.XYZ',
      'DeprecationWarning: The mode parameter is deprecated: use nothing',
    ]);
    expect(parseWarningHeader(header)).toEqual([
      { category: 'SymbologyWarning', message: 'The following symbols could not be resolved: NQ.XYZ' },
      { category: 'DeprecationWarning', message: 'The mode parameter is deprecated: use nothing' },
    ]);
  });

  it('keeps an item without a category, and an unparseable header raw', () => {
    expect(parseWarningHeader('["just text"]')).toEqual([{ category: 'Warning', message: 'just text' }]);
    expect(parseWarningHeader('SymbologyWarning: not json')).toEqual([{ category: 'Unparsed', message: 'SymbologyWarning: not json' }]);
    expect(parseWarningHeader('{"a":1}')).toEqual([{ category: 'Unparsed', message: '{"a":1}' }]);
  });

  it('handles absent and repeated headers', () => {
    expect(parseWarningHeader(undefined)).toEqual([]);
    expect(parseWarningHeader(['["A: one"]', '["B: two"]'])).toEqual([
      { category: 'A', message: 'one' },
      { category: 'B', message: 'two' },
    ]);
  });
});
