import { type FieldError, type FieldPath, fieldInvalid } from '@kcp-ts/apimachinery';
import type { Environment } from '@marcbachmann/cel-js';
import { type AstNode, countNodes, meterComprehensions, useRe2Matches } from '../../crd/cel/cel-ast';
import { baseEnvironment } from '../../crd/cel/cel-environment';
import { declareAdmissionCel } from './admission-cel';

/*
 * Compiling the CEL of a ValidatingAdmissionPolicy as kube-apiserver 1.32
 * does (k8s.io/apiserver/pkg/admission/plugin/policy/validating and
 * pkg/apis/admissionregistration/validation): matchConditions compile without
 * `variables`; variables see the variables declared before them, with the
 * types they compiled to (`dyn` when they did not compile); validations,
 * messageExpressions and auditAnnotations see them all; `params` exists only
 * with a paramKind; messageExpressions have no `authorizer`.
 *
 * Expressions are type-checked in an environment with the declared types;
 * they are evaluated, like CRD rules, in one where everything but
 * `authorizer` is dynamic and values are plain JSON (bigint integers).
 */

/** The types an expression may evaluate to (`any`: whatever). */
type ReturnType = 'bool' | 'string' | 'null' | 'any';

/** cel-go's spelling of a type (`map(string, int)`, `null_type`) from cel-js's (`map<string, int>`, `null`). */
function celGoTypeName(type: string): string {
  if (type === 'list') return 'list(dyn)';
  if (type === 'map') return 'map(dyn, dyn)';
  return type === 'null' ? 'null_type' : type.replaceAll('<', '(').replaceAll('>', ')');
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!.trim();
}

/** A parsed expression: callable with an activation (a promise when a function answers with one), with its AST. */
export type AdmissionProgram = ((activation: Record<string, unknown>) => unknown) & {
  readonly ast: AstNode;
  check(): { valid: boolean; type?: string; error?: unknown };
};

/**
 * Parses and type-checks `expression` in `env`; the result type or the
 * detail of upstream's `Invalid value` (`compilation failed: ERROR: <input>: …`,
 * `must evaluate to bool but got int`).
 */
export function checkAdmissionExpression(
  env: Environment,
  expression: string,
  returnTypes: readonly ReturnType[],
): { type: string; program: AdmissionProgram } | { error: string } {
  let program: AdmissionProgram;
  try {
    program = env.parse(expression) as unknown as AdmissionProgram;
  } catch (err) {
    return { error: `compilation failed: ERROR: <input>: ${firstLine(err)}` };
  }
  useRe2Matches(program.ast);
  const checked = program.check();
  if (!checked.valid)
    return {
      error: `compilation failed: ERROR: <input>: ${firstLine(checked.error)}`,
    };
  const type = checked.type ?? 'dyn';
  const ok = returnTypes.some((t) => t === 'any' || t === type);
  if (!ok) {
    const expected = returnTypes.map((t) => celGoTypeName(t));
    return {
      error:
        expected.length === 1
          ? `must evaluate to ${expected[0]} but got ${celGoTypeName(type)}`
          : `must evaluate to one of [${expected.join(' ')}] but got ${celGoTypeName(type)}`,
    };
  }
  return { type, program };
}

const typedEnvironments = new Map<string, Environment>();

/** The (frozen) type-checking environment of one combination of declarations. */
function typedEnvironment(authorizer: boolean, params: boolean): Environment {
  const key = `${authorizer}/${params}`;
  let env = typedEnvironments.get(key);
  if (!env) {
    env = declareAdmissionCel(baseEnvironment().clone(), {
      authorizer,
      params,
      typed: true,
    });
    env.clone(); // freeze: every use is a clone or a check
    typedEnvironments.set(key, env);
  }
  return env;
}

/** cel-go declares `variables` as `kubernetes.variables`, an object of the variables so far. */
const VARIABLES_TYPE = 'kubernetes.variables';

function fieldTypeOf(type: string): string {
  if (type === 'list') return 'list<dyn>';
  if (type === 'map') return 'map<dyn, dyn>';
  return type;
}

/** `env` plus `variables` of the given (name → type) fields; `dyn` fields when a type cannot be declared. */
function withVariables(env: Environment, variables: ReadonlyMap<string, string>): Environment {
  const fields = Object.fromEntries([...variables].map(([name, type]) => [name, fieldTypeOf(type)]));
  try {
    return env.clone().registerType(VARIABLES_TYPE, { fields }).registerVariable('variables', VARIABLES_TYPE);
  } catch {
    const dynamic = Object.fromEntries([...variables.keys()].map((name) => [name, 'dyn']));
    return env.clone().registerType(VARIABLES_TYPE, { fields: dynamic }).registerVariable('variables', VARIABLES_TYPE);
  }
}

let evaluation: Environment | undefined;

/** The environment checked expressions are evaluated in: plain JSON values, typed `authorizer`. */
function evaluationEnvironment(): Environment {
  if (!evaluation) {
    evaluation = declareAdmissionCel(baseEnvironment().clone(), {
      authorizer: true,
      params: true,
      typed: false,
    });
    evaluation.registerVariable('variables', 'dyn');
    evaluation.clone();
  }
  return evaluation;
}

/** An expression ready to evaluate, or why it is not. */
export interface CompiledExpression {
  readonly expression: string;
  readonly program: AdmissionProgram | undefined;
  /** the compile error (`compilation failed: …`) when there is no program */
  readonly error: string | undefined;
  /** the names of `variables.<name>` it reads */
  readonly variables: readonly string[];
  /** nodes of the expression: the fixed part of its cost */
  readonly baseCost: number;
}

/** A compiled validation. */
export interface CompiledValidation {
  readonly condition: CompiledExpression;
  readonly message: string | undefined;
  readonly messageExpression: CompiledExpression | undefined;
  readonly reason: string | undefined;
}

/** The compiled expressions of a ValidatingAdmissionPolicy spec. */
export interface CompiledPolicy {
  readonly matchConditions: ReadonlyArray<{
    readonly name: string;
    readonly condition: CompiledExpression;
  }>;
  readonly variables: ReadonlyArray<{
    readonly name: string;
    readonly value: CompiledExpression;
  }>;
  readonly validations: readonly CompiledValidation[];
  readonly auditAnnotations: ReadonlyArray<{
    readonly key: string;
    readonly value: CompiledExpression;
  }>;
}

function entries(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)) : [];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The names of `variables.x` (and `variables.?x`) an expression reads. */
function variableReferences(root: AstNode): string[] {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const node = value as AstNode;
    if (typeof node.op !== 'string') return;
    if ((node.op === '.' || node.op === '.?') && Array.isArray(node.args)) {
      const [object, field] = node.args as [AstNode, unknown];
      if (typeof object === 'object' && object !== null && object.op === 'id' && object.args === 'variables' && typeof field === 'string') names.add(field);
    }
    if (node.meta?.alternate) visit(node.meta.alternate);
    if (node.op === 'value' || node.op === 'id') return;
    if (node.op === 'comprehension') {
      const args = node.args as {
        iterable: unknown;
        init: unknown;
        step: unknown;
        condition?: unknown;
        result?: unknown;
      };
      visit(args.iterable);
      visit(args.init);
      visit(args.step);
      visit(args.condition);
      visit(args.result);
      return;
    }
    visit(node.args);
  };
  visit(root);
  return [...names];
}

interface Compilation {
  readonly errors: FieldError[];
  readonly forEvaluation: boolean;
}

/**
 * Checks `expression` in `env` for the types `returnTypes`; records an
 * `Invalid value` at `path` (showing `shown`) on failure; when compiling for
 * evaluation, parses it again in the evaluation environment.
 */
function compileOne(
  compilation: Compilation,
  env: Environment,
  expression: string,
  returnTypes: readonly ReturnType[],
  path: FieldPath,
  shown: string,
): { compiled: CompiledExpression; type: string | undefined } {
  const checked = checkAdmissionExpression(env, expression, returnTypes);
  if ('error' in checked) {
    compilation.errors.push(fieldInvalid(path, shown, checked.error));
    return {
      compiled: {
        expression,
        program: undefined,
        error: checked.error,
        variables: [],
        baseCost: 0,
      },
      type: undefined,
    };
  }
  if (!compilation.forEvaluation)
    return {
      compiled: {
        expression,
        program: undefined,
        error: undefined,
        variables: [],
        baseCost: 0,
      },
      type: checked.type,
    };
  const program = evaluationEnvironment().parse(expression) as unknown as AdmissionProgram;
  useRe2Matches(program.ast);
  const dynamic = program.check();
  if (!dynamic.valid) {
    const error = `compilation failed: ERROR: <input>: ${firstLine(dynamic.error)}`;
    return {
      compiled: {
        expression,
        program: undefined,
        error,
        variables: [],
        baseCost: 0,
      },
      type: checked.type,
    };
  }
  meterComprehensions(program.ast);
  return {
    compiled: {
      expression,
      program,
      error: undefined,
      variables: variableReferences(program.ast),
      baseCost: countNodes(program.ast),
    },
    type: checked.type,
  };
}

function compileSpec(spec: Record<string, unknown>, specPath: FieldPath, forEvaluation: boolean): { errors: FieldError[]; policy: CompiledPolicy } {
  const compilation: Compilation = { errors: [], forEvaluation };
  const params = typeof spec['paramKind'] === 'object' && spec['paramKind'] !== null;
  const withAuthorizer = typedEnvironment(true, params);

  // matchConditions: the stateless compiler, no variables (trimmed, as upstream)
  const matchConditions: Array<{
    name: string;
    condition: CompiledExpression;
  }> = [];
  for (const [i, condition] of entries(spec['matchConditions']).entries()) {
    const expression = text(condition['expression']).trim();
    if (expression === '') continue;
    const at = specPath.child('matchConditions').index(i).child('expression');
    matchConditions.push({
      name: text(condition['name']),
      condition: compileOne(compilation, withAuthorizer, expression, ['bool'], at, expression).compiled,
    });
  }

  // variables: each sees the ones before it; with any variable, every later expression sees them all
  const declared = entries(spec['variables']);
  const types = new Map<string, string>();
  const variables: Array<{ name: string; value: CompiledExpression }> = [];
  for (const [i, variable] of declared.entries()) {
    const name = text(variable['name']);
    const expression = text(variable['expression']);
    let type = 'dyn';
    if (expression.trim() !== '') {
      const at = specPath.child('variables').index(i).child('expression');
      const result = compileOne(compilation, withVariables(withAuthorizer, types), expression, ['any'], at, expression);
      type = result.type ?? 'dyn';
      variables.push({ name, value: result.compiled });
    }
    if (name.trim() !== '') types.set(name, type);
  }
  const composed = declared.length > 0;
  const full = composed ? withVariables(withAuthorizer, types) : withAuthorizer;
  const forMessages = composed ? withVariables(typedEnvironment(false, params), types) : typedEnvironment(false, params);

  const validations: CompiledValidation[] = [];
  for (const [i, validation] of entries(spec['validations']).entries()) {
    const at = specPath.child('validations').index(i);
    const expression = text(validation['expression']);
    if (expression.trim() === '') continue;
    const condition = compileOne(compilation, full, expression, ['bool'], at.child('expression'), expression).compiled;
    const messageSource = text(validation['messageExpression']);
    const messageExpression =
      messageSource.trim() === ''
        ? undefined
        : compileOne(compilation, forMessages, messageSource, ['string'], at.child('messageExpression'), messageSource).compiled;
    const message = typeof validation['message'] === 'string' ? validation['message'] : undefined;
    const reason = typeof validation['reason'] === 'string' ? validation['reason'] : undefined;
    validations.push({ condition, message, messageExpression, reason });
  }

  const auditAnnotations: Array<{ key: string; value: CompiledExpression }> = [];
  for (const [i, annotation] of entries(spec['auditAnnotations']).entries()) {
    const source = text(annotation['valueExpression']);
    const trimmed = source.trim();
    if (trimmed === '') continue;
    const at = specPath.child('auditAnnotations').index(i).child('valueExpression');
    auditAnnotations.push({
      key: text(annotation['key']),
      value: compileOne(compilation, full, trimmed, ['string', 'null'], at, source).compiled,
    });
  }
  return {
    errors: compilation.errors,
    policy: { matchConditions, variables, validations, auditAnnotations },
  };
}

/**
 * The compile errors of every expression of a ValidatingAdmissionPolicy spec,
 * as kube-apiserver reports them on create and update:
 * `spec.validations[0].expression: Invalid value: "…": compilation failed: ERROR: <input>: …`,
 * `… must evaluate to bool but got int`. Empty expressions are left to the
 * spec's own validation (they are `Required`).
 */
export function policyExpressionErrors(spec: Record<string, unknown>, specPath: FieldPath): FieldError[] {
  return compileSpec(spec, specPath, false).errors;
}

/** Compiles a policy spec for evaluation (expressions that do not compile carry their error). */
export function compilePolicy(spec: Record<string, unknown>, specPath: FieldPath): CompiledPolicy {
  return compileSpec(spec, specPath, true).policy;
}
