import type { JsonValue, KubeObject, ValidationRule } from '@kcp-ts/apimachinery';

/** A JSON value as it appears in schemas (`default`, `enum`, `example`). */
export type JSONValue = JsonValue;
export type { ValidationRule };

/**
 * `apiextensions.k8s.io/v1 JSONSchemaProps`: the OpenAPI v3 subset (plus the
 * Kubernetes extensions) a custom resource schema is written in. Kept loose
 * (`unknown` where upstream has unions) because it arrives from users and is
 * validated before use.
 */
export interface JSONSchemaProps {
  readonly type?: string;
  readonly format?: string;
  readonly title?: string;
  readonly description?: string;
  readonly default?: JSONValue;
  readonly example?: JSONValue;
  readonly enum?: readonly JSONValue[];
  readonly nullable?: boolean;
  readonly maximum?: number;
  readonly exclusiveMaximum?: boolean;
  readonly minimum?: number;
  readonly exclusiveMinimum?: boolean;
  readonly multipleOf?: number;
  readonly maxLength?: number;
  readonly minLength?: number;
  readonly pattern?: string;
  readonly maxItems?: number;
  readonly minItems?: number;
  readonly uniqueItems?: boolean;
  readonly maxProperties?: number;
  readonly minProperties?: number;
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, JSONSchemaProps>>;
  readonly additionalProperties?: JSONSchemaProps | boolean;
  readonly items?: JSONSchemaProps | readonly JSONSchemaProps[];
  readonly allOf?: readonly JSONSchemaProps[];
  readonly anyOf?: readonly JSONSchemaProps[];
  readonly oneOf?: readonly JSONSchemaProps[];
  readonly not?: JSONSchemaProps;
  readonly $ref?: string;
  readonly $schema?: string;
  readonly id?: string;
  readonly definitions?: unknown;
  readonly dependencies?: unknown;
  readonly patternProperties?: unknown;
  readonly additionalItems?: unknown;
  readonly externalDocs?: unknown;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-embedded-resource'?: boolean;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-list-type'?: string;
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
  readonly 'x-kubernetes-map-type'?: string;
  readonly 'x-kubernetes-validations'?: readonly ValidationRule[];
}

/** `additionalPrinterColumns[]` of a version. */
export interface PrinterColumn {
  readonly name: string;
  readonly type: string;
  readonly format?: string;
  readonly description?: string;
  readonly priority?: number;
  readonly jsonPath: string;
}

/** `subresources.scale` of a version. */
export interface ScaleSubresource {
  readonly specReplicasPath: string;
  readonly statusReplicasPath: string;
  readonly labelSelectorPath?: string;
}

/** One version of a custom resource type, as CRDs and (later) APIResourceSchemas describe it. */
export interface CustomResourceVersion {
  readonly name: string;
  readonly served: boolean;
  readonly storage: boolean;
  readonly deprecated?: boolean;
  readonly deprecationWarning?: string;
  readonly schema?: { readonly openAPIV3Schema?: JSONSchemaProps };
  readonly subresources?: { readonly status?: Record<string, never>; readonly scale?: ScaleSubresource };
  readonly additionalPrinterColumns?: readonly PrinterColumn[];
  readonly selectableFields?: readonly { readonly jsonPath: string }[];
}

/** `spec.names` / `status.acceptedNames`. */
export interface CustomResourceNames {
  readonly plural: string;
  readonly singular?: string;
  readonly kind: string;
  readonly listKind?: string;
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
}

/** A CRD condition (`NamesAccepted`, `Established`, `Terminating`, …). */
export interface CustomResourceDefinitionCondition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
}

/** `spec` of an `apiextensions.k8s.io/v1 CustomResourceDefinition`. */
export interface CustomResourceDefinitionSpec {
  readonly group: string;
  readonly names: CustomResourceNames;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly versions: readonly CustomResourceVersion[];
  readonly conversion?: { readonly strategy: string; readonly webhook?: unknown };
  readonly preserveUnknownFields?: boolean;
}

/** `status` of a CRD, maintained by the server. */
export interface CustomResourceDefinitionStatus {
  readonly acceptedNames?: CustomResourceNames;
  readonly storedVersions?: readonly string[];
  readonly conditions?: readonly CustomResourceDefinitionCondition[];
}

/** An `apiextensions.k8s.io/v1 CustomResourceDefinition`. */
export interface CustomResourceDefinition extends KubeObject {
  spec: CustomResourceDefinitionSpec;
  status?: CustomResourceDefinitionStatus;
}

/**
 * What it takes to serve a custom resource type, independent of where it
 * comes from (a CRD, or an APIResourceSchema bound through an APIBinding):
 * names, scope, versions with their schemas, and where objects are stored.
 */
export interface CustomResourceTypeSpec {
  readonly group: string;
  /** the names served (a CRD's `status.acceptedNames`) */
  readonly names: Required<CustomResourceNames>;
  readonly namespaced: boolean;
  readonly versions: readonly CustomResourceVersion[];
  /** storage prefix ending in `/`, e.g. `/registry/example.io/widgets/customresources/` */
  readonly storagePrefix: string;
  /**
   * Set while the defining object is being deleted: existing objects stay
   * readable and deletable, creates are refused (upstream's terminating CRD).
   */
  readonly terminating?: boolean;
}

export const CRD_GROUP = 'apiextensions.k8s.io';
export const CRD_RESOURCE = 'customresourcedefinitions';
/** The finalizer that holds a CRD until its custom resources are gone. */
export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

/** The storage prefix of a custom resource, kcp's layout. */
export function customResourcePrefix(group: string, plural: string): string {
  return `/registry/${group}/${plural}/customresources/`;
}
