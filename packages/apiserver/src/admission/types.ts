import type { ClusterName } from '@kcp-ts/logicalcluster';
import type { UserInfo } from '../auth/types';
import type { Obj, ResourceDefinition } from '../registry/types';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE';

/** What an admission plugin sees of a write (`admission.Attributes`). */
export interface AdmissionAttributes {
  readonly operation: AdmissionOperation;
  readonly definition: ResourceDefinition;
  readonly cluster: ClusterName;
  readonly namespace: string;
  readonly name: string;
  readonly subresource: string;
  readonly user: UserInfo;
  readonly dryRun: boolean;
  /** the object being written; mutating plugins change it in place */
  readonly object: Obj | undefined;
  readonly oldObject: Obj | undefined;
  /** warnings to return to the client */
  readonly warnings: string[];
}

/**
 * An admission plugin. `admit` (mutating) runs for every plugin before any
 * `validate`; either throws a `StatusError` to reject the request.
 */
export interface AdmissionPlugin {
  readonly name: string;
  admit?(attributes: AdmissionAttributes): void | Promise<void>;
  validate?(attributes: AdmissionAttributes): void | Promise<void>;
}

/** Runs plugins in order: all mutating phases, then all validating phases. */
export class AdmissionChain {
  private readonly plugins: AdmissionPlugin[];
  private readonly last: number;

  /** `last` run after every other plugin, also after those added later. */
  constructor(plugins: readonly AdmissionPlugin[] = [], last: readonly AdmissionPlugin[] = []) {
    this.plugins = [...plugins, ...last];
    this.last = last.length;
  }

  /** Adds plugins before the `last` ones (layers built on the server add theirs before it serves). */
  add(...plugins: AdmissionPlugin[]): void {
    this.plugins.splice(this.plugins.length - this.last, 0, ...plugins);
  }

  async admit(attributes: AdmissionAttributes): Promise<void> {
    for (const plugin of this.plugins) {
      // a plugin that answers at once is not awaited (every write passes here)
      const admitting = plugin.admit?.(attributes);
      if (admitting) await admitting;
    }
  }

  async validate(attributes: AdmissionAttributes): Promise<void> {
    for (const plugin of this.plugins) {
      const validating = plugin.validate?.(attributes);
      if (validating) await validating;
    }
  }
}
