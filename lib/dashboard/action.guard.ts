import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
} from '@nestjs/common';
import { DASHBOARD_SETTINGS } from './dashboard.constants';
import { DashboardSettings } from './dashboard.options';
import { crossSiteReason } from './csrf';
import { HeadersCarrier } from './request-headers';

/**
 * Runs after the access guard, on actions only: refuses every one on a read-only dashboard,
 * and any that may come from another site (see csrf.ts for the rule).
 */
@Injectable()
export class ActionGuard implements CanActivate {
  constructor(@Inject(DASHBOARD_SETTINGS) private readonly settings: DashboardSettings) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.settings.readOnly) {
      throw new ForbiddenException({
        statusCode: 403,
        error: 'ReadOnly',
        message: 'This dashboard is read-only (readOnly: true): actions are refused.',
      });
    }
    const reason = crossSiteReason(context.switchToHttp().getRequest<HeadersCarrier>());
    if (reason) {
      throw new ForbiddenException({
        statusCode: 403,
        error: 'CrossSiteRequest',
        message: `Action refused as a possible cross-site request: ${reason}.`,
      });
    }
    return true;
  }
}
