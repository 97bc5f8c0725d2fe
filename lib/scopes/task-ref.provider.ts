import { FactoryProvider, Scope } from '@nestjs/common';
import { REQUEST } from '@nestjs/core';
import { TASK_REF } from '../constants';
import { RunScopes } from './run-scopes';

/**
 * `@Inject(TASK_REF) ctx: TaskContext`: the running task's context. Request-scoped, so the
 * provider that injects it is built per run; undefined when built for something else (an HTTP
 * request, a hook that runs outside the task's run).
 */
export const taskRefProvider: FactoryProvider = {
  provide: TASK_REF,
  scope: Scope.REQUEST,
  useFactory: (request: unknown, scopes: RunScopes) => scopes.taskContextOf(request),
  inject: [REQUEST, RunScopes],
};
