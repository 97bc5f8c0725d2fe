import { Get, Header, Inject, Req, Res, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { DASHBOARD_SETTINGS } from './dashboard.constants';
import { DashboardSettings } from './dashboard.options';
import { sessionToken, tokenCookie } from './csrf';
import { assetText } from './dashboard-assets';
import { PageName, pageShell } from './page-shell';
import { HeadersCarrier } from './request-headers';

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

  @Get('queue')
  @Header('Content-Type', HTML)
  queue(@Req() request: HeadersCarrier, @Res({ passthrough: true }) response: unknown) {
    return this.page('queue', request, response);
  }

  @Get('task')
  @Header('Content-Type', HTML)
  task(@Req() request: HeadersCarrier, @Res({ passthrough: true }) response: unknown) {
    return this.page('task', request, response);
  }

  @Get('dead')
  @Header('Content-Type', HTML)
  dead(@Req() request: HeadersCarrier, @Res({ passthrough: true }) response: unknown) {
    return this.page('dead', request, response);
  }

  @Get('schedules')
  @Header('Content-Type', HTML)
  schedules(@Req() request: HeadersCarrier, @Res({ passthrough: true }) response: unknown) {
    return this.page('schedules', request, response);
  }

  @Get('locks')
  @Header('Content-Type', HTML)
  locks(@Req() request: HeadersCarrier, @Res({ passthrough: true }) response: unknown) {
    return this.page('locks', request, response);
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
        tokenCookie(token, this.settings.base),
      );
    }
    return pageShell(name, this.settings, token);
  }
}
