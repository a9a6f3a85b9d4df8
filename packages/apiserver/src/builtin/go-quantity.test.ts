import { describe, expect, it } from 'vitest';
import { goQuantitySyntax } from './go-quantity';

const fast = (value: string, scale: number, kept: string, format: string) =>
  `resource.Quantity{i:resource.int64Amount{value:${value}, scale:${scale}}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"${kept}", Format:"${format}"}`;

describe('goQuantitySyntax', () => {
  // the first five as kube-apiserver prints them in field errors (seen in its responses)
  it.each([
    ['0', fast('0', 0, '0', 'DecimalSI')],
    ['500m', fast('500', -3, '500m', 'DecimalSI')],
    ['1Gi', fast('1073741824', 0, '1Gi', 'BinarySI')],
    ['2G', fast('2', 9, '2G', 'DecimalSI')],
    ['10', fast('10', 0, '10', 'DecimalSI')],
    // ParseQuantity keeps the text only when it is canonical
    ['1.5', fast('15', -1, '', 'DecimalSI')],
    ['1000', fast('1000', 0, '', 'DecimalSI')],
    ['8Gi', fast('8589934592', 0, '', 'BinarySI')],
    ['-1500m', fast('-1500', -3, '-1500m', 'DecimalSI')],
    ['1e3', fast('1', 3, '1e3', 'DecimalExponent')],
    ['12e6', fast('12', 6, '12e6', 'DecimalExponent')],
  ])('%s', (text, expected) => {
    expect(goQuantitySyntax(text)).toBe(expected);
  });

  it('prints a value of the slow path with an *inf.Dec', () => {
    expect(goQuantitySyntax('1.5Gi')).toBe(
      'resource.Quantity{i:resource.int64Amount{value:0, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(0xc000a2e0c0)}, s:"", Format:"BinarySI"}',
    );
    expect(goQuantitySyntax('123456789012345678901')).toContain('Dec:(*inf.Dec)(0xc000a2e0c0)}, s:"", Format:"DecimalSI"');
  });
});
