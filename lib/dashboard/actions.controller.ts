import { Body, HttpCode, Param, Post, UseGuards, Injectable } from '@nestjs/common';
import { ActionGuard } from './action.guard';
import { DashboardActions } from './dashboard-actions';

/**
 * The actions (POST only), each refused on a read-only dashboard and from other sites (the
 * ActionGuard, after the access guard). Mounted like PagesController.
 */
@Injectable()
export class ActionsController {
  constructor(private readonly actions: DashboardActions) {}

  @Post('api/actions/:action')
  @HttpCode(200)
  @UseGuards(ActionGuard)
  perform(@Param('action') action: string, @Body() body: unknown) {
    return this.actions.perform(action, body);
  }
}
