import { CostMeter, isCostLimitExceeded, withMeter } from '../../crd/cel/cel-ast';
import { PER_CALL_COST_LIMIT, PER_OBJECT_COST_BUDGET } from '../../crd/cel/cel-cost';
import { AuthzLibraryError, type CelAuthorizer } from './admission-cel';
import type { CompiledExpression, CompiledPolicy } from './policy-cel';

/*
 * Evaluating a compiled ValidatingAdmissionPolicy for one request, binding
 * and param, as k8s.io/apiserver's policy/validating validator does:
 * matchConditions first (a false one: the policy does not apply; errors: the
 * failure policy), then every validation, its message when it fails, and the
 * audit annotations. Variables are evaluated once, when an expression that
 * reads them runs (before it runs: an expression reading a variable that
 * fails fails, even where a short circuit would have skipped it).
 */

/** The values expressions see (JSON as CEL values: integers bigint). */
export interface PolicyInput {
  readonly object: unknown;
  readonly oldObject: unknown;
  readonly request: unknown;
  readonly namespaceObject: unknown;
  readonly params: unknown;
  readonly authorizer: CelAuthorizer;
}

/** `ActionAdmit` / `ActionDeny` with what made it. */
export interface PolicyDecision {
  readonly action: 'admit' | 'deny';
  readonly evaluation: 'admit' | 'deny' | 'error';
  readonly message: string;
  /** `Forbidden`, `Invalid`, …; `""`: upstream's default (`Invalid`) */
  readonly reason: string;
}

/** An audit annotation's outcome (there is no audit log: reported, then dropped). */
export interface AuditAnnotationResult {
  readonly key: string;
  readonly action: 'publish' | 'exclude' | 'error';
  readonly value?: string;
  readonly error?: string;
}

/** What one evaluation decided; no decisions when a matchCondition was false. */
export interface PolicyResult {
  readonly decisions: readonly PolicyDecision[];
  readonly auditAnnotations: readonly AuditAnnotationResult[];
}

/** Upstream's `celconfig.MaxEvaluatedMessageExpressionSizeBytes`. */
const MAX_MESSAGE_BYTES = 5 * 1024;
const OUT_OF_BUDGET = 'validation failed due to running out of cost budget, no further validation rules will be run';

type Outcome =
  | { readonly value: unknown; readonly error?: undefined }
  | {
      readonly error: string;
      readonly outOfBudget?: boolean;
      readonly cause?: string;
    };

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

/** An evaluation error's first line; cel-js's own words start lower case, as cel-go's (`no such key: x`). */
function errorText(err: unknown): string {
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();
  const cause = err instanceof Error ? err.cause : undefined;
  if (err instanceof AuthzLibraryError || cause instanceof AuthzLibraryError) return message;
  return message.charAt(0).toLowerCase() + message.slice(1);
}

/** One policy evaluation: the shared cost budget and the variables evaluated so far. */
class Evaluation {
  private remaining = PER_OBJECT_COST_BUDGET;
  private readonly variableOutcomes = new Map<string, Outcome>();
  private readonly variablesValue: Record<string, unknown> = {};
  private readonly activation: Record<string, unknown>;

  constructor(private readonly policy: CompiledPolicy, input: PolicyInput) {
    this.activation = {
      object: input.object,
      oldObject: input.oldObject,
      request: input.request,
      namespaceObject: input.namespaceObject,
      params: input.params,
      authorizer: input.authorizer,
      variables: this.variablesValue,
    };
  }

  /** Evaluates one expression: `expression '…' resulted in error: …` when it fails. */
  async run(compiled: CompiledExpression): Promise<Outcome> {
    if (!compiled.program) return { error: `compilation error: ${compiled.error ?? 'unknown'}` };
    for (const name of compiled.variables) await this.variable(name, new Set());
    if (this.remaining <= compiled.baseCost) return { error: OUT_OF_BUDGET, outOfBudget: true };
    const meter = new CostMeter(Math.min(PER_CALL_COST_LIMIT, this.remaining) - compiled.baseCost);
    try {
      let value = withMeter(meter, () => compiled.program!(this.activation));
      if (isThenable(value)) value = await value;
      return { value };
    } catch (err) {
      if (isCostLimitExceeded(err) && meter.limit < PER_CALL_COST_LIMIT - compiled.baseCost) return { error: OUT_OF_BUDGET, outOfBudget: true };
      const cause = errorText(err);
      return {
        error: `expression '${compiled.expression}' resulted in error: ${cause}`,
        cause,
      };
    } finally {
      this.remaining -= meter.spent + compiled.baseCost;
    }
  }

  /** Evaluates variable `name` (and what it reads) once; its value, or its error on each read. */
  private async variable(name: string, visiting: Set<string>): Promise<void> {
    if (this.variableOutcomes.has(name) || visiting.has(name)) return;
    const declared = this.policy.variables.find((v) => v.name === name);
    if (!declared) return;
    visiting.add(name);
    for (const inner of declared.value.variables) await this.variable(inner, visiting);
    const outcome = await this.run(declared.value);
    this.variableOutcomes.set(name, outcome);
    Object.defineProperty(this.variablesValue, name, {
      enumerable: true,
      get: () => {
        // an expression reading a variable that failed fails with the variable's own error
        if (outcome.error !== undefined) throw new Error(outcome.cause ?? outcome.error);
        return outcome.value;
      },
    });
  }
}

function decisionForError(failurePolicy: string, message: string): PolicyDecision {
  return {
    action: failurePolicy === 'Ignore' ? 'admit' : 'deny',
    evaluation: 'error',
    message,
    reason: '',
  };
}

/** Upstream's aggregate of errors: one alone, several as `[a, b]`. */
function aggregate(messages: readonly string[]): string {
  return messages.length === 1 ? messages[0]! : `[${messages.join(', ')}]`;
}

/**
 * Evaluates `policy` for one request (and param) with the policy's failure
 * policy (`Fail` unless `Ignore`).
 */
export async function evaluatePolicy(policy: CompiledPolicy, input: PolicyInput, failurePolicy: string): Promise<PolicyResult> {
  const evaluation = new Evaluation(policy, input);

  const matchErrors: string[] = [];
  for (const { condition } of policy.matchConditions) {
    const outcome = await evaluation.run(condition);
    if (outcome.error !== undefined) {
      if (outcome.outOfBudget)
        return {
          decisions: [decisionForError(failurePolicy, outcome.error)],
          auditAnnotations: [],
        };
      matchErrors.push(outcome.error);
      continue;
    }
    if (outcome.value === false) return { decisions: [], auditAnnotations: [] };
  }
  if (matchErrors.length > 0)
    return {
      decisions: [decisionForError(failurePolicy, aggregate(matchErrors))],
      auditAnnotations: [],
    };

  const decisions: PolicyDecision[] = [];
  for (const validation of policy.validations) {
    const outcome = await evaluation.run(validation.condition);
    if (outcome.error !== undefined) {
      if (outcome.outOfBudget)
        return {
          decisions: [decisionForError(failurePolicy, outcome.error)],
          auditAnnotations: [],
        };
      decisions.push(decisionForError(failurePolicy, outcome.error));
      continue;
    }
    if (outcome.value === true) {
      decisions.push({
        action: 'admit',
        evaluation: 'admit',
        message: '',
        reason: '',
      });
      continue;
    }
    let message = '';
    if (validation.messageExpression) {
      const evaluated = await evaluation.run(validation.messageExpression);
      if (evaluated.error === undefined && typeof evaluated.value === 'string') {
        message = evaluated.value.trim();
        if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES || message.includes('\n')) message = '';
      } else if (evaluated.error !== undefined && evaluated.outOfBudget) {
        decisions.push(decisionForError(failurePolicy, `failed messageExpression: ${evaluated.error}`));
        continue;
      }
    }
    if (message === '' && validation.message !== undefined) message = validation.message.trim();
    if (message === '') message = `failed expression: ${validation.condition.expression.trim()}`;
    decisions.push({
      action: 'deny',
      evaluation: 'deny',
      message,
      reason: validation.reason ?? 'Invalid',
    });
  }

  const auditAnnotations: AuditAnnotationResult[] = [];
  for (const { key, value } of policy.auditAnnotations) {
    const outcome = await evaluation.run(value);
    if (outcome.error !== undefined) {
      auditAnnotations.push({
        key,
        action: failurePolicy === 'Ignore' ? 'exclude' : 'error',
        error: outcome.error,
      });
    } else if (typeof outcome.value === 'string') {
      const trimmed = outcome.value.trim();
      auditAnnotations.push(trimmed === '' ? { key, action: 'exclude' } : { key, action: 'publish', value: trimmed });
    } else if (outcome.value === null) {
      auditAnnotations.push({ key, action: 'exclude' });
    } else {
      auditAnnotations.push({
        key,
        action: 'error',
        error: `valueExpression '${value.expression}' resulted in unsupported return type: ${typeof outcome.value}. Return type must be either string or null.`,
      });
    }
  }
  return { decisions, auditAnnotations };
}
