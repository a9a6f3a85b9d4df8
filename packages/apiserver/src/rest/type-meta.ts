import { newBadRequest } from '@kcp-ts/apimachinery';
import type { Obj, ResourceDefinition } from '../registry/types';
import { apiVersionOf } from './objects';

/** Finds the built-in definition serving a group/version/kind, if any (the server's "scheme"). */
export type KindLookup = (group: string, version: string, kind: string) => ResourceDefinition | undefined;

/** The name kube-apiserver's scheme carries in `no kind … is registered` errors. */
const LEGACY_SCHEME = 'pkg/api/legacyscheme/scheme.go:30';

/**
 * Checks the `apiVersion` and `kind` of a create or update body against the
 * resource the URL addresses, with kube-apiserver's outcomes for its own
 * (`*.k8s.io` and core) types: missing parts default to the URL's; a kind the
 * scheme does not know is `no kind "X" is registered for version "g/v"`; a
 * known kind of another type fails conversion (`converting (v1.Secret) to
 * (core.ConfigMap): unknown conversion`); the same type in another version is
 * `the API version in the data (…) does not match the expected API version
 * (…)`. All are 400. Other resources get the plain mismatch messages.
 */
export function checkRequestTypeMeta(definition: ResourceDefinition, object: Obj, lookup: KindLookup | undefined): void {
  const expected = apiVersionOf(definition);
  const bodyApiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const bodyKind = typeof object.kind === 'string' && object.kind !== '' ? object.kind : definition.kind;
  const upstreamType = lookup !== undefined && (definition.group === '' || definition.group.endsWith('.k8s.io')) && lookup(definition.group, definition.version, definition.kind) === definition;
  if (!upstreamType) {
    if (bodyApiVersion !== '' && bodyApiVersion !== expected) {
      throw newBadRequest(`the API version in the data (${bodyApiVersion}) does not match the expected API version (${expected})`);
    }
    if (bodyKind !== definition.kind) {
      throw newBadRequest(`the kind in the data (${bodyKind}) does not match the expected kind (${definition.kind})`);
    }
    return;
  }
  const apiVersion = bodyApiVersion === '' ? expected : bodyApiVersion;
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  if (group === definition.group && version === definition.version && bodyKind === definition.kind) return;
  const cannotHandle = `${bodyKind} in version ${JSON.stringify(version)} cannot be handled as a ${definition.kind}`;
  const registered = lookup(group, version, bodyKind);
  if (!registered) {
    throw newBadRequest(`${cannotHandle}: no kind ${JSON.stringify(bodyKind)} is registered for version ${JSON.stringify(apiVersion)} in scheme ${JSON.stringify(LEGACY_SCHEME)}`);
  }
  if (registered.kind === definition.kind && registered.storage !== undefined && registered.storage.prefix === definition.storage?.prefix) {
    // the same internal type in another version: decoding works, the version check does not
    throw newBadRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${expected})`);
  }
  throw newBadRequest(`${cannotHandle}: converting (${version}.${bodyKind}) to (${internalPackage(definition.group)}.${definition.kind}): unknown conversion`);
}

/**
 * The Go type kube-apiserver holds an object (or a list) of this resource as,
 * as `%T` prints it in its errors: `*core.ConfigMap`, `*rbac.RoleList`;
 * custom resources are `*unstructured.Unstructured[List]`.
 */
export function goTypeName(definition: ResourceDefinition, list: boolean): string {
  const suffix = list ? 'List' : '';
  return definition.typedList ? `*${internalPackage(definition.group)}.${definition.kind}${suffix}` : `*unstructured.Unstructured${suffix}`;
}

/** The Go package of a group's internal types (`core`, `rbac`, `coordination`, …). */
function internalPackage(group: string): string {
  if (group === '' || group === 'events.k8s.io') return 'core';
  return group.split('.')[0]!;
}
