import { TaskmillError } from './taskmill.error';

/**
 * TaskmillDashboardModule was imported into an app without an HTTP server (an application
 * context, or no HTTP platform package), so its pages could never be served.
 */
export class DashboardNeedsHttpError extends TaskmillError {
  constructor() {
    super(
      'TaskmillDashboardModule needs an HTTP app: install @nestjs/platform-express or ' +
        '@nestjs/platform-fastify and start the app with NestFactory.create(AppModule[, adapter]), ' +
        'not createApplicationContext(); or leave the dashboard module out of this app.',
    );
  }
}
