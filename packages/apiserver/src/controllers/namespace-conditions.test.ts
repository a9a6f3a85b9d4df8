import { describe, expect, it } from 'vitest';
import { type NamespaceCondition, allDeletionConditionsFine, mergeNamespaceConditions, namespaceDeletionConditions } from './namespace-conditions';

const FINE: NamespaceCondition[] = [
  { type: 'NamespaceDeletionDiscoveryFailure', status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
  { type: 'NamespaceDeletionGroupVersionParsingFailure', status: 'False', reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
  { type: 'NamespaceDeletionContentFailure', status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
  { type: 'NamespaceContentRemaining', status: 'False', reason: 'ContentRemoved', message: 'All content successfully removed' },
  { type: 'NamespaceFinalizersRemaining', status: 'False', reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
];

const tally = (remaining: Array<[string, number]> = [], finalizers: Array<[string, number]> = [], deleteErrors: string[] = []) => ({
  remainingByResource: new Map(remaining),
  remainingByFinalizer: new Map(finalizers),
  deleteErrors,
});

describe('namespaceDeletionConditions', () => {
  it.each([
    { name: 'nothing left: the five False conditions, in upstream order', tally: tally(), want: FINE },
    {
      name: 'remaining resources and finalizers, sorted; zero counts left out',
      tally: tally(
        [
          ['widgets.example.com', 2],
          ['configmaps.', 1],
          ['secrets.', 0],
        ],
        [
          ['example.com/hold', 1],
          ['b.example.com/x', 2],
        ],
      ),
      want: [
        FINE[0],
        FINE[1],
        FINE[2],
        {
          type: 'NamespaceContentRemaining',
          status: 'True',
          reason: 'SomeResourcesRemain',
          message: 'Some resources are remaining: configmaps. has 1 resource instances, widgets.example.com has 2 resource instances',
        },
        {
          type: 'NamespaceFinalizersRemaining',
          status: 'True',
          reason: 'SomeFinalizersRemain',
          message: 'Some content in the namespace has finalizers remaining: b.example.com/x in 2 resource instances, example.com/hold in 1 resource instances',
        },
      ],
    },
    {
      name: 'content remaining without finalizers',
      tally: tally([['pods.', 9]]),
      want: [
        FINE[0],
        FINE[1],
        FINE[2],
        { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: pods. has 9 resource instances' },
        FINE[4],
      ],
    },
    {
      name: 'failed deletions, messages sorted and counted',
      tally: tally([], [], ['z failed', 'a failed']),
      want: [
        FINE[0],
        FINE[1],
        { type: 'NamespaceDeletionContentFailure', status: 'True', reason: 'ContentDeletionFailed', message: 'Failed to delete all resource types, 2 remaining: a failed, z failed' },
        FINE[3],
        FINE[4],
      ],
    },
  ])('$name', ({ tally, want }) => {
    expect(namespaceDeletionConditions(tally)).toEqual(want);
  });

  it('says whether all is well', () => {
    expect(allDeletionConditionsFine(namespaceDeletionConditions(tally()))).toBe(true);
    expect(allDeletionConditionsFine(namespaceDeletionConditions(tally([['configmaps.', 1]])))).toBe(false);
  });
});

describe('mergeNamespaceConditions', () => {
  const T0 = '2024-01-01T00:00:00Z';
  const T1 = '2024-01-01T00:01:00Z';
  const stamped = (conditions: NamespaceCondition[], time: string) => conditions.map((c) => ({ ...c, lastTransitionTime: time }));
  const remaining = namespaceDeletionConditions(tally([['configmaps.', 1]], [['example.com/hold', 1]]));
  const moreRemaining = namespaceDeletionConditions(tally([['configmaps.', 2]], [['example.com/hold', 2]]));

  it('appends the conditions a namespace does not have yet, after its other ones, with the time now', () => {
    const other = { type: 'Other', status: 'True', lastTransitionTime: T0 };
    expect(mergeNamespaceConditions([other], FINE, T1)).toEqual([other, ...stamped(FINE, T1)]);
  });

  it('changes nothing when the stored conditions say the same (no write)', () => {
    expect(mergeNamespaceConditions(stamped(remaining, T0), remaining, T1)).toBeUndefined();
  });

  it('keeps lastTransitionTime when only the message changes', () => {
    expect(mergeNamespaceConditions(stamped(remaining, T0), moreRemaining, T1)).toEqual(stamped(moreRemaining, T0));
  });

  it('sets lastTransitionTime when the status changes, in place, keeping other types and duplicates', () => {
    const stored = [{ type: 'Other', status: 'False' }, ...stamped(remaining, T0), { ...FINE[3]!, lastTransitionTime: T0 }];
    const merged = mergeNamespaceConditions(stored, FINE, T1);
    expect(merged).toEqual([
      { type: 'Other', status: 'False' },
      ...stamped(FINE.slice(0, 3), T0),
      { ...FINE[3], lastTransitionTime: T1 },
      { ...FINE[4], lastTransitionTime: T1 },
      { ...FINE[3], lastTransitionTime: T0 },
    ]);
  });
});
