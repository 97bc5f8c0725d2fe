import {
  Get,
  Header,
  Inject,
  Injectable,
  NotFoundException,
  Param,
  Req,
  Res,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { DASHBOARD_SETTINGS } from './dashboard.constants';
import { DashboardSettings } from './dashboard.options';
import { sessionToken, tokenCookie } from './csrf';
import { assetText } from './dashboard-assets';
import { isPage, PageName, pageShell } from './page-shell';
import { HeadersCarrier, overHttps } from './request-headers';

const HTML = 'text/html; charset=utf-8';

/**
 * The pages and their static files. Mounted under the dashboard's path, behind its access
 * guard, by TaskmillDashboardModule (no @Controller here: forRoot decides the path).
 */
@Injectable()
export class PagesController {
  constructor(
    @Inject(DASHBOARD_SETTINGS) private readonly settings: DashboardSettings,
    private readonly host: HttpAdapterHost,
  ) {}

  @Get()
  @Header('Content-Type', HTML)
  overview(@Req() request: HeadersCarrier, @Res({ passthrough: true }) response: unknown) {
    return this.page('overview', request, response);
  }

  /** queue, task, dead, schedules, locks: one path segment (the API's and assets' have two). */
  @Get(':page')
  @Header('Content-Type', HTML)
  other(
    @Param('page') name: string,
    @Req() request: HeadersCarrier,
    @Res({ passthrough: true }) response: unknown,
  ) {
    if (!isPage(name) || name === 'overview') {
      throw new NotFoundException(`The dashboard has no page "${name.slice(0, 40)}".`);
    }
    return this.page(name, request, response);
  }

  @Get('assets/dashboard.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  script(): string {
    return assetText('dashboard.js');
  }

  @Get('assets/dashboard.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  styles(): string {
    return assetText('dashboard.css');
  }

  /** The shell, with the session's token (set as a cookie when the browser has none yet). */
  private page(name: PageName, request: HeadersCarrier, response: unknown): string {
    const { token, fresh } = sessionToken(request);
    if (fresh) {
      this.host.httpAdapter.setHeader(
        response,
        'Set-Cookie',
        tokenCookie(token, this.settings.base, overHttps(request)),
      );
    }
    return pageShell(name, this.settings, token);
  }
}
