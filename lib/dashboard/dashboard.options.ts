import { CanActivate, Type } from '@nestjs/common';

/**
 * Who may use the dashboard: a guard class (Nest's CanActivate, e.g. your admin guard), run
 * on every dashboard route, or `'public'` to open it to anyone who reaches the app.
 */
export type DashboardAccess = Type<CanActivate> | 'public';

/** Options of `TaskmillDashboardModule.forRoot()`. */
export interface TaskmillDashboardOptions {
  /** Where the dashboard is mounted in the app, e.g. `'/taskmill'`. */
  path: string;
  /** Required: the dashboard never starts unprotected by accident. */
  access: DashboardAccess;
  /** Refuse every action (403); the pages only show. Default false. */
  readOnly?: boolean;
}

/** The options once validated: the path normalised ('' for the app's root). */
export interface DashboardSettings {
  base: string;
  access: DashboardAccess;
  readOnly: boolean;
}
