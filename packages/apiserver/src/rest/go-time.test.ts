import { describe, expect, it } from 'vitest';
import { formatGoTime, parseGoTime, RFC3339, RFC3339_MICRO } from './go-time';

const written = (layout: typeof RFC3339 | typeof RFC3339_MICRO, input: string) => {
  const parsed = parseGoTime(layout, input);
  if (!parsed.ok) throw new Error(parsed.error);
  return formatGoTime(parsed, layout === RFC3339_MICRO);
};
const error = (layout: typeof RFC3339 | typeof RFC3339_MICRO, input: string) => {
  const parsed = parseGoTime(layout, input);
  return parsed.ok ? undefined : parsed.error;
};

describe("Go's time.Parse for metav1.Time and MicroTime", () => {
  it('accepts what Go accepts and writes it back in UTC', () => {
    expect(written(RFC3339, '2024-02-29T23:59:59Z')).toBe('2024-02-29T23:59:59Z');
    // an offset, and a fraction the layout does not spell out (dropped: Time has whole seconds)
    expect(written(RFC3339, '2024-01-01T00:30:00.987+01:00')).toBe('2023-12-31T23:30:00Z');
    expect(written(RFC3339_MICRO, '2024-01-01T00:00:00.000001-00:30')).toBe('2024-01-01T00:30:00.000001Z');
    // the hour may have one digit in Go's layout "15"
    expect(written(RFC3339, '2024-01-01T7:00:00Z')).toBe('2024-01-01T07:00:00Z');
  });

  it("fails with Go's messages", () => {
    expect(error(RFC3339, '')).toBe('parsing time "" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "2006"');
    expect(error(RFC3339, '2024/01/01T00:00:00Z')).toBe('parsing time "2024/01/01T00:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse "/01/01T00:00:00Z" as "-"');
    expect(error(RFC3339, '2024-1-01T00:00:00Z')).toBe('parsing time "2024-1-01T00:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse "1-01T00:00:00Z" as "01"');
    expect(error(RFC3339, '2024-01-01 00:00:00Z')).toBe('parsing time "2024-01-01 00:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 00:00:00Z" as "T"');
    expect(error(RFC3339, '2024-01-01T00:00:00')).toBe('parsing time "2024-01-01T00:00:00" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00"');
    expect(error(RFC3339, '2024-01-01T00:00:00+0100')).toBe('parsing time "2024-01-01T00:00:00+0100" as "2006-01-02T15:04:05Z07:00": cannot parse "+0100" as "Z07:00"');
    expect(error(RFC3339, '2024-01-01T24:00:00Z')).toBe('parsing time "2024-01-01T24:00:00Z": hour out of range');
    expect(error(RFC3339, '2023-02-29T00:00:00Z')).toBe('parsing time "2023-02-29T00:00:00Z": day out of range');
    expect(error(RFC3339, '2024-01-01T00:00:00Zjunk')).toBe('parsing time "2024-01-01T00:00:00Zjunk": extra text: "junk"');
    expect(error(RFC3339, '2024-01-01T00:00:00+25:00')).toBe('parsing time "2024-01-01T00:00:00+25:00": time zone offset hour out of range');
    expect(error(RFC3339_MICRO, '2024-01-01T00:00:00.123Z')).toBe(
      'parsing time "2024-01-01T00:00:00.123Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse ".123Z" as ".000000"',
    );
    expect(error(RFC3339, 'é')).toBe('parsing time "\\xc3\\xa9" as "2006-01-02T15:04:05Z07:00": cannot parse "\\xc3\\xa9" as "2006"');
  });
});
