import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compareKeys, toKubeYaml } from './yaml';

describe('toKubeYaml', () => {
  it('writes an object as kube-apiserver (sigs.k8s.io/yaml over go-yaml v2) does', () => {
    const configMap = {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: 'odd', namespace: 'y', resourceVersion: '51', creationTimestamp: '2026-11-22T10:45:43Z', labels: { 'app.kubernetes.io/name': 'x' } },
      data: {
        num: '123',
        bool: 'true',
        empty: '',
        colon: 'a: b',
        star: '*x',
        date: '2024-01-01',
        multi: 'l1\nl2\n',
        last: 'l1\nl2',
        tilde: '~',
        nul: 'null',
        hash: '#x',
        uni: 'héllo',
        float: '1.5e3',
        oct: '0o17',
        hex: '0x1F',
        under: '1_000',
        clock: '10:30',
        yes: 'yes',
        trail: 'x ',
        quote: 'it\'s "q"',
      },
      binaryData: {},
      fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } },
      items: [{ a: 1, b: [true, null, 1.5] }, []],
    };
    // the lines kubectl -o yaml (the same library) prints for these values
    expect(toKubeYaml(configMap)).toBe(
      [
        'apiVersion: v1',
        'binaryData: {}',
        'data:',
        '  bool: "true"',
        '  clock: "10:30"',
        "  colon: 'a: b'",
        '  date: "2024-01-01"',
        '  empty: ""',
        '  float: "1.5e3"',
        "  hash: '#x'",
        '  hex: "0x1F"',
        '  last: |-',
        '    l1',
        '    l2',
        '  multi: |',
        '    l1',
        '    l2',
        '  nul: "null"',
        '  num: "123"',
        '  oct: "0o17"',
        '  quote: it\'s "q"',
        "  star: '*x'",
        '  tilde: "~"',
        "  trail: 'x '",
        '  under: "1_000"',
        '  uni: héllo',
        '  "yes": "yes"',
        'fieldsV1:',
        '  f:metadata:',
        '    f:labels:',
        '      .: {}',
        '      f:app: {}',
        'items:',
        '- a: 1',
        '  b:',
        '  - true',
        '  - null',
        '  - 1.5',
        '- []',
        'kind: ConfigMap',
        'metadata:',
        '  creationTimestamp: "2026-11-22T10:45:43Z"',
        '  labels:',
        '    app.kubernetes.io/name: x',
        '  name: odd',
        '  namespace: "y"',
        '  resourceVersion: "51"',
        '',
      ].join('\n'),
    );
  });

  it('folds long strings and reads back as the same value', () => {
    const value = { description: 'word '.repeat(40).trim(), nested: { deep: ['a '.repeat(60) + 'end'] } };
    const yaml = toKubeYaml(value);
    expect(yaml.split('\n').length).toBeGreaterThan(4);
    expect(parse(yaml)).toEqual(value);
  });

  it('orders keys as go-yaml v2 does: non-letters before letters, numbers by value', () => {
    const sorted = (keys: string[]) => [...keys].sort(compareKeys);
    expect(sorted(['a10', 'a9', 'a1'])).toEqual(['a1', 'a9', 'a10']);
    expect(sorted(['aB', 'a_b', 'ab'])).toEqual(['a_b', 'aB', 'ab']);
    expect(sorted(['xy', 'x.y', 'x'])).toEqual(['x', 'x.y', 'xy']);
    expect(sorted(['b', 'A', '1'])).toEqual(['1', 'A', 'b']);
    expect(Object.keys(parse(toKubeYaml({ a10: 1, a9: 2, a_b: 3, aB: 4 })))).toEqual(['a_b', 'a9', 'a10', 'aB']);
  });
});
