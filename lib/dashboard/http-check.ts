import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { DashboardNeedsHttpError } from '../errors';

/** Fails startup when the app has no HTTP server for the pages (see DashboardNeedsHttpError). */
@Injectable()
export class HttpCheck implements OnModuleInit {
  constructor(private readonly host: HttpAdapterHost) {}

  onModuleInit(): void {
    if (!this.host.httpAdapter) throw new DashboardNeedsHttpError();
  }
}
