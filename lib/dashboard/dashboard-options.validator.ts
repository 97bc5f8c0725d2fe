import { InvalidOptionsError } from '../errors';
import { checkBoolean, checkKnownKeys, checkObject, describe } from '../validation/checks';
import { DashboardSettings, TaskmillDashboardOptions } from './dashboard.options';

/** Plain path segments only: the base is written into pages and routes unescaped. */
const PATH_PATTERN = /^(\/[A-Za-z0-9_.~-]+)*\/?$/;
/** `.` and `..` segments, which browsers resolve away. */
const DOT_SEGMENT = /(^|\/)\.\.?(\/|$)/;

/** Checks forRoot's options when the module is declared, so a bad one never serves a page. */
export function resolveDashboardOptions(raw: TaskmillDashboardOptions): DashboardSettings {
  const options = checkObject(raw, 'options');
  checkKnownKeys(options, ['path', 'access', 'readOnly'], 'options');
  return {
    base: checkPath(options.path),
    access: checkAccess(options.access),
    readOnly: checkBoolean(options.readOnly ?? false, 'readOnly'),
  };
}

function checkPath(path: unknown): string {
  const plain = typeof path === 'string' && path !== '' && PATH_PATTERN.test(path);
  if (!plain || DOT_SEGMENT.test(path)) {
    throw new InvalidOptionsError(
      'path',
      `must be a URL path such as '/taskmill' (segments of letters, digits and _ . ~ -), ` +
        `got ${describe(path)}`,
    );
  }
  return path.replace(/\/+$/, '');
}

function checkAccess(access: unknown): DashboardSettings['access'] {
  if (access === 'public') return access;
  if (typeof access === 'function' && typeof access.prototype?.canActivate === 'function') {
    return access as DashboardSettings['access'];
  }
  throw new InvalidOptionsError(
    'access',
    `is required: a guard class (one with canActivate(), e.g. your AdminGuard) run on every ` +
      `dashboard route, or 'public' to open the dashboard to anyone; got ${describe(access)}`,
  );
}
