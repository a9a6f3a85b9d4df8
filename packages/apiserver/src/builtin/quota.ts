import { randomUUID } from 'node:crypto';
import { type FieldError, fieldInvalid, fieldPath } from '@kcp-ts/apimachinery';
import type { Obj, ResourceDefinition } from '../registry/types';
import { columns } from '../rest/table';
import { STATUS_SUBRESOURCE, defineBuiltin } from './define';
import { scopesValue, validateLimitRangeSpec, validateResourceQuotaSpec, validateResourceQuotaStatus } from './quota-validation';
import { obj } from '../registry/json';

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

/**
 * Upstream `ValidateResourceQuotaUpdate`: scopes cannot change (compared as
 * sets).
 */
function validateScopesUnchanged(object: Obj, old: Obj): FieldError[] {
  const next = strings(obj(object['spec'])['scopes']);
  const before = new Set(strings(obj(old['spec'])['scopes']));
  const same = new Set(next).size === before.size && next.every((s) => before.has(s));
  return same ? [] : [fieldInvalid(fieldPath('spec', 'scopes'), scopesValue(obj(object['spec'])['scopes']), 'field is immutable')];
}

/**
 * A quota's Request or Limit column, as kubectl's printer writes them:
 * `count/configmaps: 1/2, secrets: 0/5` over `status.hard` in name order,
 * limits (`limits.*`) in the second column.
 */
function quotaColumns(object: Obj): { request: string; limit: string } {
  const status = obj(object['status']);
  const hard = obj(status['hard']);
  const used = obj(status['used']);
  const request: string[] = [];
  const limit: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    const pieces = name.split('.');
    const cell = `${name}: ${typeof used[name] === 'string' ? (used[name] as string) : '0'}/${String(hard[name])}`;
    (pieces.length > 1 && pieces[0] === 'limits' ? limit : request).push(cell);
  }
  return { request: request.join(', '), limit: limit.join(', ') };
}

const resourceQuotas = defineBuiltin({
  group: '',
  version: 'v1',
  resource: 'resourcequotas',
  kind: 'ResourceQuota',
  singular: 'resourcequota',
  namespaced: true,
  shortNames: ['quota'],
  subresources: { status: STATUS_SUBRESOURCE },
  strategy: {
    statusSubresource: true,
    tracksGeneration: false,
    validate: (o) => [...validateResourceQuotaSpec(o['spec']), ...validateResourceQuotaStatus(o['status'])],
    validateUpdate: (o, old) => [...validateResourceQuotaSpec(o['spec']), ...validateScopesUnchanged(o, old), ...validateResourceQuotaStatus(o['status'])],
  },
  table: {
    columns: [
      columns.name,
      columns.age,
      {
        name: 'Request',
        type: 'string',
        description: 'Request represents a minimum amount of cpu/memory that a container may consume.',
        cell: (o) => quotaColumns(o).request,
      },
      {
        name: 'Limit',
        type: 'string',
        description: 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.',
        cell: (o) => quotaColumns(o).limit,
      },
    ],
  },
});

const limitRanges = defineBuiltin({
  group: '',
  version: 'v1',
  resource: 'limitranges',
  kind: 'LimitRange',
  singular: 'limitrange',
  namespaced: true,
  shortNames: ['limits'],
  strategy: {
    statusSubresource: false,
    tracksGeneration: false,
    // upstream's strategy names a LimitRange sent without a name (before generateName is looked at)
    prepareForCreate: (o) => {
      if (!o.metadata.name) o.metadata.name = randomUUID();
    },
    validate: (o) => validateLimitRangeSpec(o['spec']),
    validateUpdate: (o) => validateLimitRangeSpec(o['spec']),
  },
  table: { columns: [columns.name, columns.createdAt] },
});

/** core/v1 ResourceQuota (enforced by `quota/`) and LimitRange (stored: no pods here to apply it to). */
export const quotaResources: readonly ResourceDefinition[] = [resourceQuotas, limitRanges];
