/**
 * The status conditions kube's namespace controller keeps on a terminating
 * namespace (`pkg/controller/namespace/deletion/status_condition_utils.go`):
 * five types, each `False` with a fixed reason and message while all is
 * well, `True` with what went wrong otherwise.
 */

/** One entry of a namespace's `status.conditions` (core/v1 `NamespaceCondition`). */
export interface NamespaceCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** What one deletion pass left in a namespace. */
export interface NamespaceContentTally {
  /** Instances still present, per resource named `<resource>.<group>` (`configmaps.` for the core group). */
  readonly remainingByResource: ReadonlyMap<string, number>;
  /** Instances still present, per finalizer they carry (counted over the remaining instances only). */
  readonly remainingByFinalizer: ReadonlyMap<string, number>;
  /** The messages of failed deletions, at most one per resource. */
  readonly deleteErrors: readonly string[];
}

/** The condition types the namespace controller owns, in the order it adds them. */
export const NAMESPACE_DELETION_CONDITION_TYPES = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const;

type DeletionConditionType = (typeof NAMESPACE_DELETION_CONDITION_TYPES)[number];

const OK: Record<DeletionConditionType, { reason: string; message: string }> = {
  NamespaceDeletionDiscoveryFailure: { reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
  NamespaceDeletionGroupVersionParsingFailure: { reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
  NamespaceDeletionContentFailure: { reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
  NamespaceContentRemaining: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  NamespaceFinalizersRemaining: { reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
};

/** `"<name> <word> <n> resource instances"` for every non-zero count, sorted as Go's `sort.Strings` (by UTF-16 code unit here, the same order for the ASCII names involved). */
function countsMessage(counts: ReadonlyMap<string, number>, word: string): string[] {
  const parts: string[] = [];
  for (const [name, count] of counts) if (count > 0) parts.push(`${name} ${word} ${count} resource instances`);
  return parts.sort();
}

/**
 * The five conditions (without `lastTransitionTime`) one deletion pass
 * calls for, in upstream's order. Discovery and group-version parsing
 * cannot fail here (the resources come from the server's own registry), so
 * those two are always the `False` ones.
 */
export function namespaceDeletionConditions(tally: NamespaceContentTally): NamespaceCondition[] {
  const failed = new Map<DeletionConditionType, NamespaceCondition>();
  if (tally.deleteErrors.length > 0) {
    failed.set('NamespaceDeletionContentFailure', {
      type: 'NamespaceDeletionContentFailure',
      status: 'True',
      reason: 'ContentDeletionFailed',
      message: `Failed to delete all resource types, ${tally.deleteErrors.length} remaining: ${[...tally.deleteErrors].sort().join(', ')}`,
    });
  }
  if (tally.remainingByResource.size > 0) {
    failed.set('NamespaceContentRemaining', {
      type: 'NamespaceContentRemaining',
      status: 'True',
      reason: 'SomeResourcesRemain',
      message: `Some resources are remaining: ${countsMessage(tally.remainingByResource, 'has').join(', ')}`,
    });
  }
  if (tally.remainingByFinalizer.size > 0) {
    failed.set('NamespaceFinalizersRemaining', {
      type: 'NamespaceFinalizersRemaining',
      status: 'True',
      reason: 'SomeFinalizersRemain',
      message: `Some content in the namespace has finalizers remaining: ${countsMessage(tally.remainingByFinalizer, 'in').join(', ')}`,
    });
  }
  return NAMESPACE_DELETION_CONDITION_TYPES.map((type) => failed.get(type) ?? { type, status: 'False', ...OK[type] });
}

/** Whether every condition is the `False` ("all is well") one. */
export function allDeletionConditionsFine(conditions: readonly NamespaceCondition[]): boolean {
  return conditions.every((c) => c.status === 'False');
}

/**
 * `stored` with `desired` applied as upstream's `updateConditions` does, or
 * `undefined` when nothing changes (so nothing is written). The first stored
 * condition of each type is updated in place; types not stored yet are
 * appended in `desired`'s order with `lastTransitionTime` `now`; an updated
 * condition gets `now` only when its status changes; conditions of other
 * types (and duplicates) are kept as they are.
 */
export function mergeNamespaceConditions(stored: readonly NamespaceCondition[], desired: readonly NamespaceCondition[], now: string): NamespaceCondition[] | undefined {
  const next = [...stored];
  let changed = false;
  for (const want of desired) {
    const index = next.findIndex((c) => c.type === want.type);
    const old = index === -1 ? undefined : next[index];
    if (!old) {
      next.push({ type: want.type, status: want.status, lastTransitionTime: now, ...withText(want) });
      changed = true;
    } else if (old.status !== want.status || old.reason !== want.reason || old.message !== want.message) {
      const lastTransitionTime = old.status !== want.status ? now : old.lastTransitionTime;
      next[index] = { type: want.type, status: want.status, ...(lastTransitionTime === undefined ? {} : { lastTransitionTime }), ...withText(want) };
      changed = true;
    }
  }
  return changed ? next : undefined;
}

/** `reason` and `message`, left out when empty (Go's omitempty). */
function withText(c: NamespaceCondition): Pick<NamespaceCondition, 'reason' | 'message'> {
  return { ...(c.reason ? { reason: c.reason } : {}), ...(c.message ? { message: c.message } : {}) };
}
