/** When a hook runs; see the @OnTask…() decorators. */
export type HookKind = 'submit' | 'start' | 'success' | 'retry' | 'failure' | 'cancel';
