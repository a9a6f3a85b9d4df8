import type { Environment } from '@marcbachmann/cel-js';
import { builtinSchemas, type OpenAPISchema } from '../../builtin/schemas';
import { useRe2Matches, type AstNode } from '../../crd/cel/cel-ast';
import { baseEnvironment, deepEqual } from '../../crd/cel/cel-environment';
import { resolveNode } from '../../openapi/structural';
import type { ResourceDefinition } from '../../registry/types';
import { declareAdmissionCel } from './admission-cel';
import { parseGroupVersion } from './param-kind';

/*
 * Type checking of a ValidatingAdmissionPolicy against the schemas of the
 * kinds it matches (k8s.io/apiserver admission/plugin/policy/validating
 * typechecking.go), for the `validatingadmissionpolicy-status` controller:
 * the kinds come from `matchConstraints.resourceRules` (rules with a
 * wildcard group or version are skipped, wildcard and subresource resources
 * too, at most ten kinds per rule), `object` and `oldObject` are typed by
 * each kind's OpenAPI schema, `params` by the paramKind's, and every
 * validation's `expression` and `messageExpression` is compiled once per
 * kind, with the policy's variables typed as they compile. Nothing here
 * changes what the policy does at admission.
 */

/** Upstream's `maxTypesToCheck`: a rule stops adding kinds at this many. */
export const MAX_TYPES_TO_CHECK = 10;

/** A group/version/kind. */
export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** What type checking reads of a served resource: its kind and OpenAPI schemas. */
export type SchemaDefinition = Pick<ResourceDefinition, 'group' | 'version' | 'resource' | 'kind' | 'schemaName' | 'openAPISchemas'>;

/** The resources of one logical cluster as type checking sees them (upstream's RESTMapper and schema resolver). */
export interface PolicyTypeSource {
  /** the resource served at group/version/resource, if any */
  resource(group: string, version: string, resource: string): SchemaDefinition | undefined;
  /** the resource serving group/version/kind, if any */
  kind(group: string, version: string, kind: string): SchemaDefinition | undefined;
}

/** One entry of `status.typeChecking.expressionWarnings`. */
export interface ExpressionWarning {
  /** `spec.validations[0].expression` */
  readonly fieldRef: string;
  /** one block per kind: `<gvk>: ERROR: <input>: …`, each ending in a newline */
  readonly warning: string;
}

/** A {@link PolicyTypeSource} over a list of resource definitions (a logical cluster's, or a test's). */
export function definitionsTypeSource(definitions: Iterable<SchemaDefinition>): PolicyTypeSource {
  const list = [...definitions];
  return {
    resource: (group, version, resource) => list.find((d) => d.group === group && d.version === version && d.resource === resource),
    kind: (group, version, kind) => list.find((d) => d.group === group && d.version === version && d.kind === kind),
  };
}

/** Go's `schema.GroupVersionKind.String()`: `apps/v1, Kind=Deployment`, `/v1, Kind=ConfigMap`. */
export function groupVersionKindString(gvk: GroupVersionKind): string {
  return `${gvk.group}/${gvk.version}, Kind=${gvk.kind}`;
}

type Json = Record<string, unknown>;

function record(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter((v): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)) : [];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Go's `sort.Strings` / `strings.Compare`: byte order. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The kinds a policy's `matchConstraints.resourceRules` resolve to in
 * `source`, sorted by group, version and kind. As upstream: a rule with a
 * wildcard in any group or version is skipped, wildcard and subresource
 * entries of `resources` are dropped, and collecting stops (for every rule)
 * once one rule has resolved {@link MAX_TYPES_TO_CHECK} kinds.
 */
export function typesToCheck(spec: Json, source: PolicyTypeSource): GroupVersionKind[] {
  const found = new Map<string, GroupVersionKind>();
  const sorted = () => [...found.values()].sort((a, b) => compare(a.group, b.group) || compare(a.version, b.version) || compare(a.kind, b.kind));
  for (const rule of records(record(spec['matchConstraints'])['resourceRules'])) {
    const groups = strings(rule['apiGroups']);
    const versions = strings(rule['apiVersions']);
    if (groups.length === 0 || groups.some((g) => g.includes('*'))) continue;
    if (versions.length === 0 || versions.some((v) => v.includes('*'))) continue;
    const resources = strings(rule['resources']).filter((r) => !r.includes('*') && !r.includes('/'));
    if (resources.length === 0) continue;
    let count = 0;
    for (const group of [...groups].sort(compare)) {
      for (const version of [...versions].sort(compare)) {
        for (const resource of [...resources].sort(compare)) {
          const definition = source.resource(group, version, resource);
          if (!definition) continue;
          const gvk = { group: definition.group, version: definition.version, kind: definition.kind };
          found.set(groupVersionKindString(gvk), gvk);
          if (++count === MAX_TYPES_TO_CHECK) return sorted();
        }
      }
    }
  }
  return sorted();
}

/** The root schema of a kind and how its references resolve, or `undefined` (upstream's ErrSchemaNotFound). */
function schemaOf(definition: SchemaDefinition | undefined): { root: OpenAPISchema; resolve: (name: string) => OpenAPISchema | undefined } | undefined {
  if (!definition?.schemaName) return undefined;
  const local = definition.openAPISchemas?.() ?? {};
  const resolve = (name: string) => local[name] ?? builtinSchemas[name];
  const root = resolve(definition.schemaName);
  return root ? { root, resolve } : undefined;
}

const CEL_RESERVED = new Set([
  'true',
  'false',
  'null',
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
]);

/** Upstream's `cel.Escape` of a property name; `undefined` when the name cannot be a field. */
function escapeFieldName(name: string): string | undefined {
  if (CEL_RESERVED.has(name)) return `__${name}__`;
  if (!/^[a-zA-Z_.\-/][a-zA-Z0-9_.\-/]*$/.test(name)) return undefined;
  return name.replaceAll('__', '__underscores__').replaceAll('.', '__dot__').replaceAll('-', '__dash__').replaceAll('/', '__slash__');
}

/**
 * Declares the CEL types of an OpenAPI schema in `env`, as upstream's
 * `SchemaDeclType`: objects become object types with their properties only
 * (`x-kubernetes-preserve-unknown-fields` exposes nothing more), maps
 * `map<string, V>`, arrays `list<T>`, int-or-string `dyn`, strings of format
 * `byte`/`duration`/`date`/`date-time` bytes, durations and timestamps; a
 * node without a type is not exposed. Resource roots (and embedded
 * resources) always have `apiVersion`, `kind`, `metadata.name` and
 * `metadata.generateName`. A schema that refers back to itself is `dyn`
 * where it recurses.
 */
class SchemaTypeDeclarations {
  private readonly names = new Map<OpenAPISchema, string>();
  private readonly inProgress = new Set<OpenAPISchema>();
  private counter = 0;

  constructor(private readonly env: Environment, private readonly prefix: string, private readonly resolve: (name: string) => OpenAPISchema | undefined) {}

  /** The CEL type of `node`, or `undefined` when upstream would not expose it. */
  typeOf(node: OpenAPISchema, resourceRoot: boolean): string | undefined {
    const schema = resolveNode(node, this.resolve);
    if (node['x-kubernetes-int-or-string'] === true || schema['x-kubernetes-int-or-string'] === true) return 'dyn';
    const type = schema.type ?? node.type;
    switch (type) {
      case 'array': {
        if (!schema.items) return undefined;
        const items = resolveNode(schema.items, this.resolve);
        const item = this.typeOf(schema.items, items['x-kubernetes-embedded-resource'] === true);
        return item === undefined ? undefined : `list<${item}>`;
      }
      case 'object':
        return this.objectType(schema, resourceRoot);
      case 'string':
        switch (schema.format) {
          case 'byte':
            return 'bytes';
          case 'duration':
            return 'google.protobuf.Duration';
          case 'date':
          case 'date-time':
            return 'google.protobuf.Timestamp';
          default:
            return 'string';
        }
      case 'boolean':
        return 'bool';
      case 'number':
        return 'double';
      case 'integer':
        return 'int';
      default:
        // a resource root without a type still gets apiVersion, kind and metadata
        return resourceRoot ? this.objectType(schema, true) : undefined;
    }
  }

  private objectType(schema: OpenAPISchema, resourceRoot: boolean): string | undefined {
    const values = schema.additionalProperties;
    if (typeof values === 'object') {
      const resolved = resolveNode(values, this.resolve);
      const value = this.typeOf(values, resolved['x-kubernetes-embedded-resource'] === true);
      return value === undefined ? undefined : `map<string, ${value}>`;
    }
    const existing = this.names.get(schema);
    if (existing && !resourceRoot) return existing;
    if (this.inProgress.has(schema)) return 'dyn';
    this.inProgress.add(schema);
    const fields: Record<string, string> = {};
    for (const [name, child] of Object.entries(this.withTypeAndObjectMeta(schema, resourceRoot))) {
      const embedded = resolveNode(child, this.resolve)['x-kubernetes-embedded-resource'] === true || child['x-kubernetes-embedded-resource'] === true;
      const type = this.typeOf(child, embedded);
      const field = escapeFieldName(name);
      if (type !== undefined && field !== undefined) fields[field] = type;
    }
    this.inProgress.delete(schema);
    const typeName = `${this.prefix}${++this.counter}`;
    if (!resourceRoot) this.names.set(schema, typeName);
    this.env.registerType(typeName, { fields });
    // only for type checking (evaluation is on plain values in a dynamic environment)
    this.env.registerOperator(`${typeName} == ${typeName}`, (a: unknown, b: unknown) => deepEqual(a, b));
    // cel-go lets an object be compared with null (`oldObject == null`)
    this.env.registerOperator(`${typeName} == null`, (a: unknown, b: unknown) => a === b);
    return typeName;
  }

  /** Upstream's `WithTypeAndObjectMeta`: the properties as they are when they already describe those fields, else with them added. */
  private withTypeAndObjectMeta(schema: OpenAPISchema, resourceRoot: boolean): Readonly<Record<string, OpenAPISchema>> {
    const properties = schema.properties ?? {};
    if (!resourceRoot) return properties;
    const typeOf = (node: OpenAPISchema | undefined) => (node ? resolveNode(node, this.resolve) : undefined);
    const metadata = typeOf(properties['metadata']);
    const complete =
      typeOf(properties['kind'])?.type === 'string' &&
      typeOf(properties['apiVersion'])?.type === 'string' &&
      metadata?.type === 'object' &&
      typeOf(metadata.properties?.['name'])?.type === 'string' &&
      typeOf(metadata.properties?.['generateName'])?.type === 'string';
    if (complete) return properties;
    return {
      ...properties,
      kind: { type: 'string' },
      apiVersion: { type: 'string' },
      metadata: { type: 'object', properties: { name: { type: 'string' }, generateName: { type: 'string' } } },
    };
  }
}

/** The CEL type name of a declared variables object (cel-go's `kubernetes.variables`). */
const VARIABLES_TYPE = 'kubernetes.variables';

/** A resolved kind: its name and schema. */
interface TypedKind {
  readonly gvk: GroupVersionKind;
  readonly schema: { root: OpenAPISchema; resolve: (name: string) => OpenAPISchema | undefined };
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!.trim();
}

/** Type-checks `expression` in `env`; `undefined` when it compiles, else the issue (`ERROR: <input>: …`). */
function checkExpression(env: Environment, expression: string): string | undefined {
  let program: ReturnType<Environment['parse']>;
  try {
    program = env.parse(expression);
  } catch (err) {
    return `ERROR: <input>: ${firstLine(err)}`;
  }
  useRe2Matches(program.ast as unknown as AstNode);
  const checked = program.check();
  return checked.valid ? undefined : `ERROR: <input>: ${firstLine(checked.error)}`;
}

/**
 * cel-go's conversions of timestamps and durations that cel-js lacks
 * (`string(object.metadata.creationTimestamp)` compiles upstream); only
 * checked here, never evaluated.
 */
function declareTimeConversions(env: Environment): void {
  const conversions: Record<string, (value: never) => unknown> = {
    'string(google.protobuf.Timestamp): string': (t: Date) => t.toISOString(),
    'string(google.protobuf.Duration): string': (d: { toString(): string }) => d.toString(),
    'int(google.protobuf.Timestamp): int': (t: Date) => BigInt(Math.floor(t.getTime() / 1000)),
  };
  for (const [signature, handler] of Object.entries(conversions)) {
    try {
      env.registerFunction(signature, handler);
    } catch {
      // the library has it already
    }
  }
}

/**
 * The type-checking environment of one kind: the admission declarations
 * with `object`/`oldObject` of the kind's type and `params` of the
 * paramKind's (when there is one with a schema), plus `variables` typed
 * as each variable compiles (`dyn` when it does not).
 */
function kindEnvironment(kind: TypedKind, param: TypedKind | undefined, variables: ReadonlyArray<{ name: string; expression: string }>): Environment {
  const env = baseEnvironment().clone();
  declareTimeConversions(env);
  const objectType = new SchemaTypeDeclarations(env, `${kind.gvk.kind}_`, kind.schema.resolve).typeOf(kind.schema.root, true) ?? 'dyn';
  const paramsType = param ? (new SchemaTypeDeclarations(env, `${param.gvk.kind}_params_`, param.schema.resolve).typeOf(param.schema.root, true) ?? 'dyn') : 'dyn';
  // declareAdmissionCel declares object, oldObject and params as dyn: this view of `env` types them here instead
  const typed: Record<string, string> = { object: objectType, oldObject: objectType, params: paramsType };
  const view = {
    registerType: (name: string, declaration: unknown) => env.registerType(name, declaration as never),
    registerFunction: (signature: string, handler: never) => env.registerFunction(signature, handler),
    registerVariable: (name: string, type: string) => env.registerVariable(name, typed[name] ?? type),
  };
  declareAdmissionCel(view as unknown as Environment, { authorizer: true, params: param !== undefined, typed: true });
  return withVariables(env, variables);
}

/** `env` plus `variables`: each variable compiled with the ones before it, typed as it compiled. */
function withVariables(env: Environment, variables: ReadonlyArray<{ name: string; expression: string }>): Environment {
  const types = new Map<string, string>();
  const declare = () => {
    const fields = Object.fromEntries([...types].map(([name, type]) => [name, type === 'list' ? 'list<dyn>' : type === 'map' ? 'map<dyn, dyn>' : type]));
    try {
      return env.clone().registerType(VARIABLES_TYPE, { fields }).registerVariable('variables', VARIABLES_TYPE);
    } catch {
      const dynamic = Object.fromEntries([...types.keys()].map((name) => [name, 'dyn']));
      return env.clone().registerType(VARIABLES_TYPE, { fields: dynamic }).registerVariable('variables', VARIABLES_TYPE);
    }
  };
  for (const variable of variables) {
    let type = 'dyn';
    try {
      const program = declare().parse(variable.expression);
      useRe2Matches(program.ast as unknown as AstNode);
      const checked = program.check();
      if (checked.valid && checked.type) type = checked.type;
    } catch {
      // a variable that does not parse is dyn
    }
    types.set(variable.name, type);
  }
  return declare();
}

/** `params`' kind: the paramKind's group/version/kind when it parses. */
function paramKindOf(spec: Json): GroupVersionKind | undefined {
  const paramKind = record(spec['paramKind']);
  const gv = parseGroupVersion(text(paramKind['apiVersion']));
  return gv ? { ...gv, kind: text(paramKind['kind']) } : undefined;
}

/**
 * The type-checking warnings of a ValidatingAdmissionPolicy spec, as
 * upstream's `TypeChecker.Check` computes them for `status.typeChecking`:
 * for each validation whose `expression` (or `messageExpression`) does not
 * compile against one of the matched kinds, one warning with a block
 * `<gvk>: <issue>\n` per such kind, the blocks joined by a newline. Empty
 * when everything compiles or no matched kind has a schema.
 */
export function typeCheckPolicy(spec: Json, source: PolicyTypeSource): ExpressionWarning[] {
  const kinds: TypedKind[] = [];
  for (const gvk of typesToCheck(spec, source)) {
    const schema = schemaOf(source.kind(gvk.group, gvk.version, gvk.kind));
    if (schema) kinds.push({ gvk, schema });
  }
  if (kinds.length === 0) return [];
  const paramGVK = typeof spec['paramKind'] === 'object' && spec['paramKind'] !== null ? paramKindOf(spec) : undefined;
  const paramSchema = paramGVK ? schemaOf(source.kind(paramGVK.group, paramGVK.version, paramGVK.kind)) : undefined;
  const param = paramGVK && paramSchema ? { gvk: paramGVK, schema: paramSchema } : undefined;
  const variables = records(spec['variables'])
    .map((v) => ({ name: text(v['name']), expression: text(v['expression']) }))
    .filter((v) => v.name.trim() !== '' && v.expression.trim() !== '');
  // as upstream, `params` is declared only when the paramKind's schema is found
  const environments = kinds.map((kind) => kindEnvironment(kind, param, variables));

  const check = (expression: string): string | undefined => {
    const blocks: string[] = [];
    for (const [i, kind] of kinds.entries()) {
      const issue = checkExpression(environments[i]!, expression);
      if (issue !== undefined) blocks.push(`${groupVersionKindString(kind.gvk)}: ${issue}\n`);
    }
    return blocks.length > 0 ? blocks.join('\n') : undefined;
  };
  const warnings: ExpressionWarning[] = [];
  for (const [i, validation] of records(spec['validations']).entries()) {
    const expression = text(validation['expression']);
    const warning = check(expression);
    if (warning !== undefined) warnings.push({ fieldRef: `spec.validations[${i}].expression`, warning });
    const messageExpression = text(validation['messageExpression']);
    if (messageExpression === '') continue;
    const messageWarning = check(messageExpression);
    if (messageWarning !== undefined) warnings.push({ fieldRef: `spec.validations[${i}].messageExpression`, warning: messageWarning });
  }
  return warnings;
}
