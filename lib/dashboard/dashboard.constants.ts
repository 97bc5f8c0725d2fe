/** Injection token of the validated dashboard options (DashboardSettings). */
export const DASHBOARD_SETTINGS = Symbol('taskmill:dashboard-settings');
