import { describe, expect, it } from 'vitest';
import { fieldCause } from './field-error';
import { aggregateFieldErrors, fieldErrorBody, formatBadValue, formatFieldError, goFormatted, goJSON, goQuote, type FieldError } from './index';

describe('goQuote (Go strconv.Quote)', () => {
  it.each([
    ['', '""'],
    ['abc', '"abc"'],
    ['a"b', '"a\\"b"'],
    ['a\\b', '"a\\\\b"'],
    ['\n\t\r', '"\\n\\t\\r"'],
    ['\x07\b\f\v', '"\\a\\b\\f\\v"'],
    ['\x00\x1f\x7f', '"\\x00\\x1f\\x7f"'],
    ['\u0085', '"\\u0085"'],
    ['rā', '"rā"'],
    ['\ud800', '"\\ufffd"'],
    ['\u00a0', '"\\u00a0"'],
    ['\u200b\u2028', '"\\u200b\\u2028"'],
    ['日本 😀', '"日本 😀"'],
    ['\u{e0001}', '"\\U000e0001"'],
  ])('%j → %s', (value, quoted) => {
    expect(goQuote(value)).toBe(quoted);
  });
});

describe('goJSON (encoding/json.Marshal)', () => {
  it.each([
    [null, 'null'],
    [undefined, 'null'],
    [[], '[]'],
    [['a', 'b'], '["a","b"]'],
    [['<&>'], '["\\u003c\\u0026\\u003e"]'],
    ['\u2028', '"\\u2028"'],
    [{ b: 1, a: { d: [2], c: null } }, '{"a":{"c":null,"d":[2]},"b":1}'],
  ])('%j → %s', (value, json) => {
    expect(goJSON(value)).toBe(json);
  });

  it('leaves HTML characters alone with escapeHTML: false (json.Encoder.SetEscapeHTML(false))', () => {
    expect(goJSON({ z: '<&>', a: 1 }, { escapeHTML: false })).toBe('{"a":1,"z":"<&>"}');
  });
});

describe('fieldCause', () => {
  it.each([
    [fieldCause('FieldValueInvalid', 'a.b', 'x', 'bad'), 'a.b: Invalid value: "x": bad'],
    [fieldCause('FieldValueInvalid', 'a', 5, 'bad'), 'a: Invalid value: 5: bad'],
    [fieldCause('FieldValueInvalid', 'a', null, 'bad'), 'a: Invalid value: null: bad'],
    [fieldCause('FieldValueNotSupported', 'op', 'x', 'supported values: "a"'), 'op: Unsupported value: "x": supported values: "a"'],
    [fieldCause('FieldValueRequired', 'v', '', 'must be set'), 'v: Required value: must be set'],
    [fieldCause('FieldValueForbidden', 'v', '', ''), 'v: Forbidden'],
  ])('%#', (cause, message) => {
    expect(cause.message).toBe(message);
  });

  it('formats booleans plainly', () => {
    expect(formatBadValue(true)).toBe('true');
  });

  it('prints a Go-formatted value as its text, where a string would be quoted and an object marshalled', () => {
    expect(formatBadValue(goFormatted('[]core.ResourceQuotaScope{"BestEffort"}'))).toBe('[]core.ResourceQuotaScope{"BestEffort"}');
    expect(formatBadValue('[]core.ResourceQuotaScope{"BestEffort"}')).toBe('"[]core.ResourceQuotaScope{\\"BestEffort\\"}"');
  });
});

describe('fieldErrorBody / formatFieldError (upstream ErrorBody / Error)', () => {
  const at = (type: FieldError['type'], badValue: unknown, detail = 'd'): FieldError => ({ type, field: 'f', badValue, detail });
  it.each([
    [at('FieldValueNotFound', 'x', ''), 'Not found: "x"'],
    [at('FieldValueRequired', '', ''), 'Required value'],
    [at('FieldValueDuplicate', 'x', ''), 'Duplicate value: "x"'],
    [at('FieldValueInvalid', { b: '<', a: 1 }), 'Invalid value: {"a":1,"b":"\\u003c"}: d'],
    [at('FieldValueNotSupported', 'x'), 'Unsupported value: "x": d'],
    [at('FieldValueForbidden', ''), 'Forbidden: d'],
    [at('FieldValueTooLong', '<value omitted>'), 'Too long: d'],
    [at('FieldValueTooMany', 5), 'Too many: 5: d'],
    [at('FieldValueTooMany', undefined), 'Too many: d'],
    [at('FieldValueTooFew', 0), 'Too few: 0: d'],
    [at('FieldValueTooShort', 'ab'), 'Too short: d'],
    [at('FieldValueTypeInvalid', 1.5), 'Invalid value: 1.5: d'],
    [at('InternalError', undefined), 'Internal error: d'],
  ])('%j', (err, body) => {
    expect(fieldErrorBody(err)).toBe(body);
    expect(formatFieldError(err)).toBe(`f: ${body}`);
  });

  it('gives a cause the same text as a plain field error', () => {
    const cause = fieldCause('FieldValueInvalid', 'a', ['x'], 'bad');
    expect(cause.body).toBe(fieldErrorBody({ type: 'FieldValueInvalid', field: 'a', badValue: ['x'], detail: 'bad' }));
    expect(cause.message).toBe('a: Invalid value: ["x"]: bad');
    expect(fieldCause('FieldValueInvalid', 'a', undefined, 'bad')).toMatchObject({ badValue: null, message: 'a: Invalid value: null: bad' });
  });
});

describe('aggregateFieldErrors (utilerrors aggregate)', () => {
  const a = fieldCause('FieldValueInvalid', 'a', 'x', 'bad');
  const b = fieldCause('FieldValueInvalid', 'b', 'y', 'bad');
  it.each([
    [[a], 'a: Invalid value: "x": bad'],
    [[a, b], '[a: Invalid value: "x": bad, b: Invalid value: "y": bad]'],
    [[a, a], 'a: Invalid value: "x": bad'],
    [[], ''],
    [[a, { type: 'FieldValueRequired', field: 'c', detail: '' } as FieldError], '[a: Invalid value: "x": bad, c: Required value]'],
  ])('%#', (causes, message) => {
    expect(aggregateFieldErrors(causes)).toBe(message);
  });
});
