import { Document, type Pair, visit } from 'yaml';

/** YAML 1.1 plain scalars that are not strings to go-yaml v2's resolver (booleans, nulls, special floats, merge). */
const NON_STRING_WORDS = new Set([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE'],
  ...['on', 'On', 'ON', 'off', 'Off', 'OFF', '', '~', 'null', 'Null', 'NULL', '<<'],
  ...['.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF'],
]);
/** Go's strconv.ParseInt/ParseUint with base 0, after go-yaml drops underscores */
const GO_INTEGER = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const YAML_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?(?:Z|[-+][0-9]{2}(?::?[0-9]{2})?)?)?$/;

/** Whether go-yaml v2 would read this string, written plain, as something else (a number, a boolean, a date …). */
function readsAsNonString(s: string): boolean {
  if (NON_STRING_WORDS.has(s)) return true;
  const plain = s.replaceAll('_', '');
  return GO_INTEGER.test(plain) || YAML_FLOAT.test(plain) || BASE60_FLOAT.test(s) || TIMESTAMP.test(s);
}

const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;

/**
 * go-yaml v2's order of map keys (its keyList.Less): rune by rune, a
 * non-letter before a letter, runs of digits by their value.
 */
export function compareKeys(a: string, b: string): number {
  const ar = Array.from(a);
  const br = Array.from(b);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i]!;
    const bc = br[i]!;
    if (ac === bc) continue;
    const al = LETTER.test(ac);
    const bl = LETTER.test(bc);
    if (al && bl) return ac < bc ? -1 : 1;
    if (al || bl) return bl ? -1 : 1;
    let an = 0;
    let bn = 0;
    if (ac === '0' || bc === '0') {
      // a zero inside a number (10 against 1x) is a digit of it, not a leading zero
      for (let j = i - 1; j >= 0 && DIGIT.test(ar[j]!); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && DIGIT.test(ar[ai]!); ai++) an = an * 10 + (ar[ai]!.charCodeAt(0) - 48);
    for (; bi < br.length && DIGIT.test(br[bi]!); bi++) bn = bn * 10 + (br[bi]!.charCodeAt(0) - 48);
    if (an !== bn) return an < bn ? -1 : 1;
    if (ai !== bi) return ai < bi ? -1 : 1;
    return ac < bc ? -1 : 1;
  }
  return ar.length - br.length;
}

const byGoYamlKey = (a: Pair, b: Pair): number => compareKeys(String((a.key as { value?: unknown }).value ?? a.key), String((b.key as { value?: unknown }).value ?? b.key));

/**
 * A JSON value as kube-apiserver writes it for `Accept: application/yaml`
 * (sigs.k8s.io/yaml's JSONToYAML over go-yaml v2): keys sorted, sequences
 * not indented under their key, strings that would read as another type
 * double-quoted, other strings that cannot be plain single-quoted, multi-line
 * strings as literal blocks, long lines folded near 80 columns.
 */
export function toKubeYaml(value: unknown): string {
  const doc = new Document(value, { sortMapEntries: byGoYamlKey, aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && !node.value.includes('\n') && readsAsNonString(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ indentSeq: false, lineWidth: 80, minContentWidth: 0, singleQuote: true });
}
