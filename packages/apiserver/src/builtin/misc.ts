import type { ResourceDefinition } from '../registry/types';
import { columns } from '../rest/table';
import { admissionPolicyResources } from './admission-policies';
import { defineBuiltin } from './define';
import { webhookConfigurationStrategy } from './webhook-configurations';
import { str } from '../registry/json';

/** coordination.k8s.io leases, the stored admission webhook configurations and the validating admission policies and their bindings. */
export const miscResources: readonly ResourceDefinition[] = [
  defineBuiltin({
    group: 'coordination.k8s.io',
    version: 'v1',
    resource: 'leases',
    kind: 'Lease',
    singular: 'lease',
    namespaced: true,
    strategy: { statusSubresource: false, tracksGeneration: false },
    table: {
      columns: [
        columns.name,
        { name: 'Holder', type: 'string', description: 'The holder of the lease', cell: (o) => str((o['spec'] as Record<string, unknown> | undefined)?.['holderIdentity']) },
        columns.age,
      ],
    },
  }),
  ...(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'] as const).map((kind) =>
    defineBuiltin({
      group: 'admissionregistration.k8s.io',
      version: 'v1',
      resource: `${kind.toLowerCase()}s`,
      kind,
      singular: kind.toLowerCase(),
      namespaced: false,
      categories: ['api-extensions'],
      strategy: webhookConfigurationStrategy(kind === 'MutatingWebhookConfiguration'),
      table: {
        columns: [
          columns.name,
          { name: 'Webhooks', type: 'integer', description: 'The number of webhooks', cell: (o) => (Array.isArray(o['webhooks']) ? (o['webhooks'] as unknown[]).length : 0) },
          columns.age,
        ],
      },
    }),
  ),
  ...admissionPolicyResources,
];
