/**
 * Decoding a request object into a built-in kind's Go struct, as
 * kube-apiserver does before anything else happens to it: values of the wrong
 * JSON type fail the request with Go's error (`json: cannot unmarshal bool
 * into Go struct field ConfigMap.data of type string`), `null` becomes what
 * the Go value encodes to again (`""` in a `map[string]string`, a field left
 * out), timestamps are parsed and written back in UTC, and fields the struct
 * does not have are removed (and reported for `fieldValidation`). One walk
 * does all of it, over a tree of Go types compiled once per kind from the
 * OpenAPI schema.
 */
import { isQuantityParseError, Quantity } from '@kcp-ts/apimachinery';
import type { OpenAPISchema } from '../builtin/schemas';
import { GO_FIELD_TYPES, GO_MICRO_TIME_TYPE, GO_OPAQUE_TYPES, GO_TIME_TYPE } from '../builtin/schemas/go-types';
import type { SchemaResolver } from '../openapi/structural';
import { goBase64ErrorOffset, goJsonKind, goUnmarshalFieldError, goUnmarshalTypeError } from './go-json';
import { formatGoTime, parseGoTime, RFC3339, RFC3339_MICRO } from './go-time';

/** A Go type, as far as decoding JSON into it goes. */
export type GoType =
  | GoStruct
  | { readonly kind: 'map' | 'slice'; readonly type: string; readonly elem: GoType }
  | GoScalar
  | { readonly kind: 'bytes' | 'any' | 'quantity'; readonly type: string }
  | GoTime;

interface GoStruct {
  readonly kind: 'struct';
  /** the struct's name, as Go's errors name the struct holding a field (`ConfigMap`) */
  readonly name: string;
  readonly type: string;
  readonly fields: ReadonlyMap<string, GoType>;
}

type GoScalar = { readonly kind: 'string' | 'bool' | 'float64'; readonly type: string } | { readonly kind: 'int'; readonly type: string; readonly bits: 32 | 64 };

interface GoTime {
  readonly kind: 'time';
  readonly type: string;
  readonly micro: boolean;
}

const REF_PREFIX = '#/components/schemas/';
const ANY: GoType = { kind: 'any', type: 'interface {}' };
/** `resource.Quantity`, which decodes itself: a string or a number, parsed and written back in canonical form. */
const QUANTITY_TYPE = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const QUANTITY: GoType = { kind: 'quantity', type: 'resource.Quantity' };

/**
 * The Go types of the definitions one resolver reaches, compiled from their
 * OpenAPI schemas on first use and kept. Struct fields are compiled on first
 * use too, so recursive types (`JSONSchemaProps`) stay finite.
 */
export class GoTypes {
  private readonly definitions = new Map<string, GoType>();

  constructor(private readonly resolve: SchemaResolver) {}

  /** The Go type of the definition `name` (`io.k8s.api.core.v1.ConfigMap`). */
  of(name: string): GoType {
    const known = this.definitions.get(name);
    if (known) return known;
    const type = this.compile(name);
    this.definitions.set(name, type);
    return type;
  }

  private compile(name: string): GoType {
    if (GO_OPAQUE_TYPES.has(name)) return ANY;
    if (name === QUANTITY_TYPE) return QUANTITY;
    if (name === GO_TIME_TYPE) return { kind: 'time', type: 'v1.Time', micro: false };
    if (name === GO_MICRO_TIME_TYPE) return { kind: 'time', type: 'v1.MicroTime', micro: true };
    const schema = this.resolve(name);
    if (!schema) return ANY;
    if (!schema.properties) return this.node(schema, undefined);
    const segments = name.split('.');
    const structName = segments[segments.length - 1]!;
    const properties = schema.properties;
    let fields: Map<string, GoType> | undefined;
    const compileField = (field: string, child: OpenAPISchema) => this.node(child, GO_FIELD_TYPES[`${name}.${field}`]);
    return {
      kind: 'struct',
      name: structName,
      type: `${segments[segments.length - 2]}.${structName}`,
      get fields(): ReadonlyMap<string, GoType> {
        fields ??= new Map(Object.entries(properties).map(([field, child]) => [field, compileField(field, child)]));
        return fields;
      },
    };
  }

  /** The Go type of a schema node; `named` is the field's named Go type, when the schema cannot tell it. */
  private node(schema: OpenAPISchema, named: string | undefined): GoType {
    const ref = schema.$ref ?? (schema.allOf?.length === 1 ? schema.allOf[0]!.$ref : undefined);
    if (ref) return this.of(ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : ref);
    if (schema['x-kubernetes-preserve-unknown-fields'] || schema['x-kubernetes-int-or-string']) return ANY;
    switch (schema.type) {
      case 'array': {
        const elem = this.node(schema.items ?? {}, named?.startsWith('[]') ? named.slice(2) : undefined);
        return { kind: 'slice', type: named ?? `[]${elem.type}`, elem };
      }
      case 'object': {
        if (typeof schema.additionalProperties !== 'object') return ANY;
        const elem = this.node(schema.additionalProperties, named?.startsWith('map[string]') ? named.slice('map[string]'.length) : undefined);
        return { kind: 'map', type: named ?? `map[string]${elem.type}`, elem };
      }
      case 'string':
        return schema.format === 'byte' ? { kind: 'bytes', type: '[]uint8' } : { kind: 'string', type: named ?? 'string' };
      case 'boolean':
        return { kind: 'bool', type: 'bool' };
      case 'integer':
        return schema.format === 'int32' ? { kind: 'int', type: 'int32', bits: 32 } : { kind: 'int', type: 'int64', bits: 64 };
      case 'number':
        return { kind: 'float64', type: 'float64' };
      default:
        return ANY;
    }
  }
}

/** Why a body does not decode, in the words of the two upstream decoders. */
export interface GoDecodeFailure {
  /** Go's `encoding/json` (creates, updates, JSON and merge patches) */
  readonly json: string;
  /** apimachinery's unstructured converter (strategic merge patches) */
  readonly converter: string;
}

/** What decoding found: fields the struct does not have (removed), and the first failure. */
export interface GoDecodeResult {
  readonly unknown: string[];
  readonly failure?: GoDecodeFailure;
}

class FatalDecodeError extends Error {
  constructor(readonly failure: GoDecodeFailure) {
    super(failure.json);
  }
}

/** The dropped marker: a struct field whose value decodes to nothing (left out when encoded again). */
const DROP = Symbol('drop');

/**
 * Decodes `object` into `type` in place (see the module comment). Errors
 * that Go's decoder saves (a wrong JSON type, bad base64) are reported first
 * one first; errors of types that decode themselves (timestamps) stop the
 * walk, as they stop Go's decoder.
 */
export function decodeAsGo(object: Record<string, unknown>, type: GoType): GoDecodeResult {
  const decoder = new Decoder();
  try {
    decoder.value(object, type);
  } catch (err) {
    if (err instanceof FatalDecodeError) return { unknown: decoder.unknown, failure: err.failure };
    throw err;
  }
  return decoder.saved ? { unknown: decoder.unknown, failure: decoder.saved } : { unknown: decoder.unknown };
}

class Decoder {
  readonly unknown: string[] = [];
  saved: GoDecodeFailure | undefined;
  /** the struct fields from the root (Go's error context) */
  private readonly fields: string[] = [];
  private struct = '';
  /** the path of the value for unknown-field reports: `spec.rules[0].verbs` */
  private readonly path: string[] = [];

  value(value: unknown, type: GoType): unknown {
    switch (type.kind) {
      case 'struct':
        if (value === null) return DROP;
        if (!isPlainObject(value)) return this.mismatch(value, type);
        this.structValue(value, type);
        return value;
      case 'map':
        if (value === null) return DROP;
        if (!isPlainObject(value)) return this.mismatch(value, type);
        for (const key of Object.keys(value)) {
          this.path.push(`.${key}`);
          const decoded = this.element(value[key], type.elem);
          if (decoded !== value[key]) value[key] = decoded;
          this.path.pop();
        }
        return value;
      case 'slice':
        if (value === null) return DROP;
        if (!Array.isArray(value)) return this.mismatch(value, type);
        for (let i = 0; i < value.length; i++) {
          this.path.push(`[${i}]`);
          const decoded = this.element(value[i], type.elem);
          if (decoded !== value[i]) value[i] = decoded;
          this.path.pop();
        }
        return value;
      case 'bytes':
        return this.bytes(value, type);
      case 'time':
        return this.time(value, type);
      case 'quantity':
        return quantity(value);
      case 'any':
        return value;
      default:
        return this.scalar(value, type);
    }
  }

  /** A map value or slice item: `null` is the element type's zero value. */
  private element(value: unknown, type: GoType): unknown {
    if (value !== null) return this.value(value, type);
    switch (type.kind) {
      case 'string':
        return '';
      case 'bool':
        return false;
      case 'int':
      case 'float64':
        return 0;
      case 'struct':
        return {};
      case 'quantity':
        return '0';
      default:
        return null;
    }
  }

  private structValue(object: Record<string, unknown>, type: GoStruct): void {
    const fields = type.fields;
    const outerStruct = this.struct;
    for (const key of Object.keys(object)) {
      const field = fields.get(key);
      this.path.push(this.path.length === 0 ? key : `.${key}`);
      if (!field) {
        this.unknown.push(this.path.join(''));
        delete object[key];
      } else {
        this.fields.push(key);
        this.struct = type.name;
        const decoded = this.value(object[key], field);
        if (decoded === DROP) delete object[key];
        else if (decoded !== object[key]) object[key] = decoded;
        this.fields.pop();
        this.struct = outerStruct;
      }
      this.path.pop();
    }
  }

  private scalar(value: unknown, type: GoScalar): unknown {
    if (value === null) return DROP;
    switch (type.kind) {
      case 'string':
        return typeof value === 'string' ? value : this.mismatch(value, type);
      case 'bool':
        return typeof value === 'boolean' ? value : this.mismatch(value, type);
      case 'float64':
        return typeof value === 'number' ? value : this.mismatch(value, type);
      case 'int': {
        if (typeof value !== 'number') return this.mismatch(value, type);
        const limit = type.bits === 32 ? 2 ** 31 : 2 ** 63;
        if (Number.isInteger(value) && value >= -limit && value < limit) return value;
        return this.mismatch(value, type, `number ${goNumberText(value)}`);
      }
    }
  }

  /**
   * `[]byte`: a base64 string (checked as Go decodes it, and written back as
   * Go encodes the bytes again: line breaks dropped, unused trailing bits
   * zeroed), or an array of bytes (written back as base64).
   */
  private bytes(value: unknown, type: GoType): unknown {
    if (value === null) return DROP;
    if (typeof value === 'string') {
      const offset = goBase64ErrorOffset(value);
      if (offset !== undefined) {
        const message = `illegal base64 data at input byte ${offset}`;
        this.save({ json: message, converter: `error decoding from json: ${message}` });
        return value;
      }
      return Buffer.from(value, 'base64').toString('base64');
    }
    if (!Array.isArray(value)) return this.mismatch(value, type);
    const bytes: number[] = [];
    for (const item of value) {
      if (typeof item === 'number' && Number.isInteger(item) && item >= 0 && item < 256) bytes.push(item);
      else if (item === null) bytes.push(0);
      else return this.mismatch(item, { kind: 'int', type: 'uint8', bits: 32 }, typeof item === 'number' ? `number ${goNumberText(item)}` : undefined);
    }
    return Buffer.from(bytes).toString('base64');
  }

  /** `metav1.Time` and `MicroTime` decode themselves: a string in their layout, or the decoding stops. */
  private time(value: unknown, type: GoTime): unknown {
    if (value === null) return DROP;
    if (typeof value !== 'string') {
      const kind = goJsonKind(value);
      throw new FatalDecodeError({ json: this.typeError(kind, 'string'), converter: goUnmarshalTypeError(kind, 'string') });
    }
    const parsed = parseGoTime(type.micro ? RFC3339_MICRO : RFC3339, value);
    if (!parsed.ok) throw new FatalDecodeError({ json: parsed.error, converter: parsed.error });
    return formatGoTime(parsed, type.micro);
  }

  /** A JSON value of the wrong type for `type`: Go skips it and reports the first one. */
  private mismatch(value: unknown, type: GoType, described?: string): unknown {
    this.save({ json: this.typeError(described ?? goJsonKind(value), type.type), converter: converterError(value, type) });
    return value;
  }

  private typeError(described: string, goType: string): string {
    if (this.fields.length === 0) return goUnmarshalTypeError(described as never, goType);
    return goUnmarshalFieldError(described as never, this.struct, this.fields.join('.'), goType);
  }

  private save(failure: GoDecodeFailure): void {
    this.saved ??= failure;
  }
}

/**
 * `resource.Quantity`'s `UnmarshalJSON`: the text of a string (quotes off) or
 * of any other JSON value, trimmed, parsed, and written back as `String()`
 * gives it; a parse error stops the decoding. `null` leaves the field out (a
 * `*Quantity` field; map values and list items are the zero quantity, `"0"`,
 * see `element`). The JSON literal of a number is gone after `JSON.parse`: a
 * number is parsed from its shortest text (`1e21`, `0.5`), which for a
 * literal like `1e3` gives `1k` where upstream keeps `1e3`.
 */
function quantity(value: unknown): unknown {
  if (value === null) return DROP;
  const text = typeof value === 'string' ? value : typeof value === 'number' ? goNumberText(value) : JSON.stringify(value);
  try {
    return Quantity.parse(text.trim()).toString();
  } catch (err) {
    if (!isQuantityParseError(err)) throw err;
    throw new FatalDecodeError({ json: err.message, converter: err.message });
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A number as Go prints the literal it was parsed from (the shortest form that reads back the same). */
function goNumberText(value: number): string {
  return String(value).replace('e+', 'e');
}

/**
 * The reflect kind of a value of unstructured content (`json.Unmarshal` with
 * ints preserved), as apimachinery's unstructured converter names it in its
 * errors (`cannot restore struct from: string`).
 */
export function unstructuredKind(value: unknown): string {
  if (Array.isArray(value)) return 'slice';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) ? 'int64' : 'float64';
    default:
      return 'map';
  }
}

/** The unstructured converter's error for `value` where `type` is expected (`fromUnstructured`). */
function converterError(value: unknown, type: GoType): string {
  const source = unstructuredKind(value);
  switch (type.kind) {
    case 'map':
      return `cannot restore map from ${source}`;
    case 'slice':
    case 'bytes':
      return `cannot restore slice from ${source}`;
    case 'struct':
      return `cannot restore struct from: ${source}`;
    default: {
      // only numbers convert between kinds: an integer to a string (as a rune, refused), a float to an int
      const targetKind = type.kind === 'int' ? type.type.replace(/^.*\./, '') : type.kind === 'string' ? 'string' : type.kind;
      if ((source === 'int64' && type.kind === 'string') || (source === 'float64' && type.kind === 'int')) return `cannot convert ${source} to ${type.type}`;
      return `unrecognized type: ${targetKind}`;
    }
  }
}
