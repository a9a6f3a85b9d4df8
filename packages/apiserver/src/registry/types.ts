import type { FieldError, KubeObject, PatchMeta } from '@kcp-ts/apimachinery';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import type { UserInfo } from '../auth/types';
import type { OpenAPISchema } from '../builtin/schemas';

/** A JSON object as it travels through the server. */
export type Obj = KubeObject & Record<string, unknown>;

/**
 * Everything the server knows about one resource in one group-version: what
 * discovery shows, where and how objects are stored, and the strategy hooks
 * that give the type its semantics. Built-in types, CRDs and bound APIs are
 * all described this way.
 */
export interface ResourceDefinition {
  readonly group: string;
  readonly version: string;
  /** plural, the URL segment */
  readonly resource: string;
  readonly kind: string;
  readonly listKind: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  /** discovery verbs of the main resource */
  readonly verbs: readonly string[];
  /** subresources beyond the main resource (`status`, `scale`, `finalize`, …) */
  readonly subresources: Readonly<Record<string, SubresourceDefinition>>;
  /** how objects are stored; absent for virtual kinds such as access reviews */
  readonly storage?: StorageLayout;
  /** the type's semantics */
  readonly strategy: Strategy;
  /** custom create for virtual kinds (reviews): returns the response object */
  readonly virtualCreate?: (object: Obj, context: OperationContext) => Promise<Obj> | Obj;
  /** Table columns for `kubectl get` */
  readonly table?: TableDefinition;
  /** extra field selector labels beyond `metadata.name`/`metadata.namespace` */
  readonly fieldLabels?: (object: Obj) => Record<string, string>;
  /**
   * A built-in type without field labels of its own: an unsupported field
   * selector gets the message of upstream's default conversion
   * (`"x" is not a known field selector: only "metadata.name", "metadata.namespace"`)
   * instead of `field label not supported: x`.
   */
  readonly defaultFieldSelectorConversion?: boolean;
  /** OpenAPI component name of the kind */
  readonly schemaName?: string;
  /**
   * The component schemas of the kind when they are not built-in (CRDs): the
   * kind's schema under `schemaName` plus anything it references.
   */
  readonly openAPISchemas?: () => Readonly<Record<string, OpenAPISchema>>;
  /** strategic merge patch metadata; without it strategic merge patch is refused with 415 */
  readonly patchMeta?: PatchMeta;
  /** whether deletion returns the deleted object rather than a `Status` (CRs, and types with finalizers) */
  readonly returnDeletedObject?: boolean;
  /**
   * Lists are served as Go typed lists, as kube-apiserver serves its own
   * types: their items carry no `apiVersion` and `kind` (the list's kind
   * says what they are). Items of custom resources keep them.
   */
  readonly typedList?: boolean;
  /** name validation for `metadata.name` */
  readonly nameValidation: 'dns1123-subdomain' | 'dns1123-label' | 'path-segment';
  /** a deprecation warning for clients of this version */
  readonly deprecationWarning?: string;
  /** the storage version hash shown in discovery */
  readonly storageVersionHash?: string;
}

export interface SubresourceDefinition {
  /** discovery verbs */
  readonly verbs: readonly string[];
  /**
   * For writable subresources: the object an update of the subresource
   * produces from the current object and the request body (`status` takes
   * `.status` from the body; namespaces' `finalize` takes `spec.finalizers`).
   */
  readonly merge?: (current: Obj, body: Obj) => Obj;
  /**
   * Subresources served as another kind (`/scale` as `autoscaling/v1 Scale`):
   * reads return `toView(object)`; writes (update, and patches applied to the
   * view) come back through `fromView(current, view)`.
   */
  readonly view?: {
    toView(object: Obj): Obj;
    fromView(current: Obj, view: Obj): Obj;
  };
  /** the kind served by the subresource when it is not the parent's (Scale) */
  readonly kind?: { group: string; version: string; kind: string };
  /**
   * For subresources created by POST (`serviceaccounts/<name>/token`): the
   * response made from the parent object and the request body, decoded as
   * `kind` (which such a subresource must name). Nothing is stored.
   */
  readonly create?: (parent: Obj, body: Obj, context: OperationContext) => Promise<Obj> | Obj;
}

/**
 * Where objects of a resource live in the Store. Several versions of one
 * resource share a layout (one storage prefix); `toStorage` / `fromStorage`
 * convert between the served version and the stored one.
 */
export interface StorageLayout {
  /** e.g. `/registry/core/configmaps/`, `/registry/example.io/widgets/customresources/` */
  readonly prefix: string;
  /** the apiVersion objects are stored as */
  readonly storageApiVersion: string;
  readonly toStorage?: (object: Obj) => Obj;
  readonly fromStorage?: (object: Obj) => Obj;
}

/** What the strategy hooks know about the request. */
export interface OperationContext {
  readonly cluster: ClusterName;
  readonly user: UserInfo;
  readonly namespace: string;
  /** the subresource written (`status`, `approval`, …), `""` for the object itself */
  readonly subresource?: string;
  readonly dryRun: boolean;
  /** warnings to return in `Warning` headers */
  readonly warnings: string[];
}

/**
 * The semantics of a type, as kube-apiserver's REST strategies: defaults,
 * status/spec split, generation, validation.
 */
export interface Strategy {
  /** whether `.status` is only written through the status subresource */
  readonly statusSubresource: boolean;
  /** whether `metadata.generation` is maintained (types with a spec) */
  readonly tracksGeneration: boolean;
  /** defaults applied on every write (and, for CRs, on read) */
  defaults?(object: Obj, context: OperationContext): void;
  /** normalizes a new object (e.g. Secret stringData → data) before validation */
  prepareForCreate?(object: Obj, context: OperationContext): void;
  prepareForUpdate?(object: Obj, old: Obj, context: OperationContext): void;
  /** type-specific validation on create (metadata is validated by the server) */
  validate?(object: Obj, context: OperationContext): FieldError[];
  validateUpdate?(object: Obj, old: Obj, context: OperationContext): FieldError[];
  /** graceful deletion beyond `metadata.finalizers` (namespaces) */
  readonly deletion?: DeletionStrategy;
}

/** Types whose deletion is graceful beyond metadata.finalizers (namespaces). */
export interface DeletionStrategy {
  /** called when a DELETE arrives; returns the object to write if deletion must wait, `undefined` to delete now */
  beginDeletion(object: Obj, now: string): Obj | undefined;
  /** whether a deleting object whose `metadata.finalizers` are empty may go now */
  readyToDelete(object: Obj): boolean;
}

export interface TableColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  readonly format?: string;
  readonly description: string;
  readonly priority?: number;
  readonly cell: (object: Obj, now: number) => unknown;
}

export interface TableDefinition {
  readonly columns: readonly TableColumn[];
  /** the form of an object the cells read, computed once per row (e.g. an event in its core/v1 form); default: the object */
  readonly rowView?: (object: Obj) => Obj;
}
