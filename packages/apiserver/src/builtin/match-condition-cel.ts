import type { Environment } from '@marcbachmann/cel-js';
import { checkAdmissionExpression } from '../admission/policy/policy-cel';
import { declareAdmissionCel } from '../admission/policy/admission-cel';
import { baseEnvironment } from '../crd/cel/cel-environment';

/*
 * The CEL environment of admission webhook `matchConditions`, as
 * k8s.io/apiserver's admission/plugin/cel declares it for webhooks: the
 * admission declarations shared with ValidatingAdmissionPolicies (see
 * admission/policy/admission-cel.ts), with `authorizer` and without `params`
 * (webhooks have none).
 */

let environment: Environment | undefined;

/**
 * Compiles a match condition's (trimmed) expression as kube-apiserver does
 * when it validates a webhook configuration; returns the error detail of the
 * `Invalid value` (`compilation failed: ERROR: <input>: …`,
 * `must evaluate to bool but got dyn`), `undefined` when it compiles to a
 * bool. The compiler's own words follow `ERROR: <input>:` where cel-go would
 * give a position and its wording.
 */
export function matchConditionCompileError(expression: string): string | undefined {
  environment ??= declareAdmissionCel(baseEnvironment().clone(), { authorizer: true, params: false, typed: true });
  const checked = checkAdmissionExpression(environment, expression, ['bool']);
  return 'error' in checked ? checked.error : undefined;
}
