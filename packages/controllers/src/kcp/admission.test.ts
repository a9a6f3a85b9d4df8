import type { AdmissionAttributes, ApiServer, ResourceDefinition } from '@kcp-ts/apiserver';
import type { Workspace } from '@kcp-ts/apis';
import { describe, expect, it } from 'vitest';
import { workspaceAdmission } from './admission';
import type { TenancyState } from './tenancy-state';
import type { WorkspaceTypeResolver } from './workspace-types';

// updates of workspaces are checked against the old object alone: the plugin's server, state and
// type resolver (used on create) are not reached
const plugin = workspaceAdmission({} as ApiServer, {} as TenancyState, {} as WorkspaceTypeResolver);
const definition = { group: 'tenancy.kcp.io', version: 'v1alpha1', resource: 'workspaces', kind: 'Workspace' } as ResourceDefinition;
const user = { username: 'alice', groups: ['system:authenticated'] };
const admin = { username: 'shard-admin', groups: ['system:masters'] };

function update(old: Workspace, object: Workspace, as = user): () => void | Promise<void> {
  const attributes: AdmissionAttributes = {
    operation: 'UPDATE',
    definition,
    cluster: 'root' as AdmissionAttributes['cluster'],
    namespace: '',
    name: 'w',
    subresource: 'status',
    user: as,
    dryRun: false,
    object: object as unknown as AdmissionAttributes['object'],
    oldObject: old as unknown as AdmissionAttributes['oldObject'],
    warnings: [],
  };
  return () => plugin.validate!(attributes);
}

const ws = (spec: Workspace['spec'], phase: string): Workspace =>
  ({ apiVersion: 'tenancy.kcp.io/v1alpha1', kind: 'Workspace', metadata: { name: 'w' }, spec: { type: { name: 'universal', path: 'root' }, ...spec }, status: { phase } }) as Workspace;

describe('Workspace admission on update (kcp tenancy.kcp.io/Workspace)', () => {
  const placed = { cluster: 'abcdefghijklmnop', URL: 'https://kcp/clusters/root:w' };

  it('lets a user with access change the phase of a placed workspace, as kcp does', () => {
    expect(update(ws(placed, 'Ready'), ws(placed, 'Unavailable'))).not.toThrow();
  });

  it('refuses the move to Ready without spec.cluster and spec.URL, even from system:masters', () => {
    expect(update(ws({}, 'Initializing'), ws({}, 'Ready'), admin)).toThrow('workspaces.tenancy.kcp.io "w" is forbidden: spec.cluster must be set for phase Ready');
    expect(update(ws({ cluster: placed.cluster }, 'Initializing'), ws({ cluster: placed.cluster }, 'Ready'), admin)).toThrow(
      'workspaces.tenancy.kcp.io "w" is forbidden: spec.URL must be set for phase Ready',
    );
    expect(update(ws(placed, 'Initializing'), ws(placed, 'Ready'), admin)).not.toThrow();
  });

  it('does not check a mounted workspace', () => {
    const mounted = { mount: { ref: { apiVersion: 'example.com/v1', kind: 'Mount', name: 'm' } } } as Workspace['spec'];
    expect(update(ws(mounted, 'Initializing'), ws(mounted, 'Ready'))).not.toThrow();
  });
});
