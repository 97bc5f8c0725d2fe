import { Injectable } from '@nestjs/common';
import { HookKind } from '../core/hook-kind';

/** A discovered @OnTask…() method, bound to its provider instance. */
export interface HookDefinition {
  kind: HookKind;
  /** Only this task's events; undefined: every task's. */
  task?: string;
  /** `ClassName.methodName`, for messages and `hook.failed` events. */
  source: string;
  call: (context: unknown) => unknown;
}

const NONE: readonly HookDefinition[] = Object.freeze([]);

/** The hooks of this application, in discovery order. */
@Injectable()
export class HookRegistry {
  private readonly hooks: HookDefinition[] = [];
  /** The hooks that apply to one task, per kind: resolved once, then a Map lookup per run. */
  private readonly resolved = new Map<HookKind, Map<string, readonly HookDefinition[]>>();

  /** True when no hook is registered: the worker's per-task path then skips hooks entirely. */
  empty = true;

  register(definition: HookDefinition): void {
    this.hooks.push(definition);
    this.empty = false;
    this.resolved.clear();
  }

  /** The hooks of `kind` for task `name`, task-specific and catch-all ones in discovery order. */
  for(kind: HookKind, name: string): readonly HookDefinition[] {
    let byName = this.resolved.get(kind);
    if (!byName) this.resolved.set(kind, (byName = new Map()));
    let hooks = byName.get(name);
    if (!hooks) {
      const matching = this.hooks.filter(
        (hook) => hook.kind === kind && (hook.task === undefined || hook.task === name),
      );
      hooks = matching.length === 0 ? NONE : matching;
      byName.set(name, hooks);
    }
    return hooks;
  }
}
