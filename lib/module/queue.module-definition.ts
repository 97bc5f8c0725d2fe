import { ConfigurableModuleBuilder } from '@nestjs/common';
import { QueueModuleOptions } from '../options/module.options';

export const {
  ConfigurableModuleClass: ConfigurableQueueModule,
  MODULE_OPTIONS_TOKEN: QUEUE_MODULE_OPTIONS,
  OPTIONS_TYPE: QUEUE_MODULE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: QUEUE_MODULE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<QueueModuleOptions>({ moduleName: 'Queue' })
  .setClassMethodName('forRoot')
  // Global by default, like ConfigModule: feature modules inject QueueService without imports.
  .setExtras({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
