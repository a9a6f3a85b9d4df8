import { newInternalError, type StatusError } from '@kcp-ts/apimachinery';
import { type LabelSelector, labelSelectorAsSelector, matches, type Selector } from '@kcp-ts/topology';
import type { AdmissionOperation } from '../types';

/*
 * Which requests a policy's `matchConstraints` (and a binding's
 * `matchResources`) select, as k8s.io/apiserver's admission/plugin/policy/matching
 * with the webhook rule matcher, namespace and object matchers.
 */

/** What the matcher needs of a request. */
export interface MatchRequest {
  readonly operation: AdmissionOperation;
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly subresource: string;
  /** the namespace of the request (`""` for cluster-scoped objects) */
  readonly namespace: string;
  readonly name: string;
  readonly object:
    | {
        readonly metadata?: {
          readonly labels?: Readonly<Record<string, string>>;
        };
      }
    | undefined;
  readonly oldObject:
    | {
        readonly metadata?: {
          readonly labels?: Readonly<Record<string, string>>;
        };
      }
    | undefined;
  /**
   * The labels of the request's namespace (for a Namespace itself on create
   * and update: the object's); a thrown `StatusError` (not found) is the
   * match's error. Called only when a namespace selector needs them.
   */
  namespaceLabels(): Readonly<Record<string, string>> | undefined;
}

/** A rule of `resourceRules` / `excludeResourceRules` (`NamedRuleWithOperations`). */
export interface NamedRule {
  readonly operations?: readonly string[];
  readonly apiGroups?: readonly string[];
  readonly apiVersions?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly scope?: string;
}

/** `MatchResources` as stored. */
export interface MatchResources {
  readonly namespaceSelector?: LabelSelector;
  readonly objectSelector?: LabelSelector;
  readonly resourceRules?: readonly NamedRule[];
  readonly excludeResourceRules?: readonly NamedRule[];
  readonly matchPolicy?: string;
}

/** The outcome: matched or not, or the error that stands for the policy (or binding). */
export type MatchResult = { readonly matches: boolean; readonly error?: undefined } | { readonly matches: false; readonly error: StatusError };

const parsedSelectors = new WeakMap<LabelSelector, Selector | StatusError>();

/** A selector as upstream parses it; an unparsable one is an internal error. `undefined` (never after defaulting) selects everything. */
function parseSelector(selector: LabelSelector | undefined): Selector | StatusError | undefined {
  if (selector === undefined || selector === null) return undefined;
  let parsed = parsedSelectors.get(selector);
  if (parsed === undefined) {
    try {
      parsed = labelSelectorAsSelector(selector);
    } catch (err) {
      parsed = newInternalError(err instanceof Error ? err : new Error(String(err)));
    }
    parsedSelectors.set(selector, parsed);
  }
  return parsed;
}

function isEmptySelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

function isStatusError(value: Selector | StatusError): value is StatusError {
  return value instanceof Error;
}

const isNamespaceResource = (r: MatchRequest) => r.group === '' && r.resource === 'namespaces';

/** The namespace selector (cluster-scoped objects other than namespaces always match). */
function matchNamespaceSelector(selector: LabelSelector | undefined, request: MatchRequest): MatchResult {
  if (request.namespace === '' && !isNamespaceResource(request)) return { matches: true };
  const parsed = parseSelector(selector);
  if (parsed === undefined || (selector && isEmptySelector(selector))) return { matches: true };
  if (isStatusError(parsed)) return { matches: false, error: parsed };
  let labels: Readonly<Record<string, string>> | undefined;
  try {
    labels = request.namespaceLabels();
  } catch (err) {
    return { matches: false, error: err as StatusError };
  }
  return { matches: matches(parsed, labels ?? {}) };
}

/** The object selector, on the new or the old object's labels. */
function matchObjectSelector(selector: LabelSelector | undefined, request: MatchRequest): MatchResult {
  const parsed = parseSelector(selector);
  if (parsed === undefined || (selector && isEmptySelector(selector))) return { matches: true };
  if (isStatusError(parsed)) return { matches: false, error: parsed };
  const on = (object: MatchRequest['object']) => object !== undefined && matches(parsed, object.metadata?.labels ?? {});
  return { matches: on(request.object) || on(request.oldObject) };
}

function listMatches(values: readonly string[] | undefined, value: string): boolean {
  return (values ?? []).some((v) => v === '*' || v === value);
}

/** The webhook rule matcher: scope, operation, group, version and resource (`res`, `res/sub`, with `*` for either part). */
export function ruleMatches(rule: NamedRule, request: MatchRequest): boolean {
  const scope = rule.scope ?? '*';
  if (scope === 'Namespaced' && (isNamespaceResource(request) || request.namespace === '')) return false;
  if (scope === 'Cluster' && !(isNamespaceResource(request) || request.namespace === '')) return false;
  if (scope !== '*' && scope !== 'Namespaced' && scope !== 'Cluster') return false;
  if (!listMatches(rule.operations, request.operation)) return false;
  if (!listMatches(rule.apiGroups, request.group)) return false;
  if (!listMatches(rule.apiVersions, request.version)) return false;
  return (rule.resources ?? []).some((entry) => {
    const slash = entry.indexOf('/');
    const resource = slash < 0 ? entry : entry.slice(0, slash);
    const subresource = slash < 0 ? '' : entry.slice(slash + 1);
    return (resource === '*' || resource === request.resource) && (subresource === '*' || subresource === request.subresource);
  });
}

/** Whether a rule of `rules` (with its resourceNames) covers the request. */
function rulesMatch(rules: readonly NamedRule[], request: MatchRequest): boolean {
  // matchPolicy Equivalent would also try the request's other versions; every resource is served in one version here
  return rules.some((rule) => ruleMatches(rule, request) && (!rule.resourceNames?.length || rule.resourceNames.includes(request.name)));
}

/**
 * Upstream's `Matcher.Matches`: the selectors first (an error in them
 * counts only when the rules match), then the excluded rules, then the
 * resource rules (none: everything).
 */
export function matchResources(resources: MatchResources, request: MatchRequest): MatchResult {
  const namespace = matchNamespaceSelector(resources.namespaceSelector, request);
  if (!namespace.matches && !namespace.error) return namespace;
  const object = matchObjectSelector(resources.objectSelector, request);
  if (!object.matches && !object.error) return object;
  if (rulesMatch(resources.excludeResourceRules ?? [], request)) return { matches: false };
  const rules = resources.resourceRules ?? [];
  if (rules.length > 0 && !rulesMatch(rules, request)) return { matches: false };
  if (namespace.error) return namespace;
  if (object.error) return object;
  return { matches: true };
}
