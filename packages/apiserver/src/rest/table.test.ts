import { describe, expect, it } from 'vitest';
import { cellForJsonValue } from './table';

describe('cellForJsonValue (custom resource printer columns)', () => {
  const now = Date.parse('2026-11-21T12:00:00Z');

  it('prints a date as the time since, <invalid> when it is not RFC 3339, <unknown> for the zero time', () => {
    expect(cellForJsonValue('date', '2026-11-21T11:00:00Z', now)).toBe('60m');
    expect(cellForJsonValue('date', '2026-11-21T13:00:00+02:00', now)).toBe('60m');
    expect(cellForJsonValue('date', '2026-11-21', now)).toBe('<invalid>');
    expect(cellForJsonValue('date', '0001-01-01T00:00:00Z', now)).toBe('<unknown>');
    expect(cellForJsonValue('date', '', now)).toBe('<unknown>');
    expect(cellForJsonValue('date', 5, now)).toBeNull();
  });

  it('leaves a cell empty when the value is not of the column type, and truncates integers', () => {
    expect(cellForJsonValue('integer', 2.7, now)).toBe(2);
    expect(cellForJsonValue('integer', '3', now)).toBeNull();
    expect(cellForJsonValue('number', 1.5, now)).toBe(1.5);
    expect(cellForJsonValue('number', true, now)).toBeNull();
    expect(cellForJsonValue('boolean', false, now)).toBe(false);
    expect(cellForJsonValue('boolean', 'false', now)).toBeNull();
  });
});
