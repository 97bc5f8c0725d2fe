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

/** `O` with every key `Shape` does not have made `never`: unknown keys fail to compile. */
type NoUnknownKeys<O, Shape> = O & { [K in Exclude<keyof O, keyof Shape>]: never };

/**
 * What a `forRootAsync` factory may return, checked as `forRoot`'s object literal is: a
 * misspelled key (`wokrer`, `worker.enabeld`, `defaults.retires`) fails to compile instead of
 * being ignored by the types (the validator refuses it at startup either way).
 */
export type ExactModuleOptions<O> = NoUnknownKeys<O, QueueModuleOptions> & {
  worker?: NoUnknownKeys<O[keyof O & 'worker'], NonNullable<QueueModuleOptions['worker']>>;
  defaults?: NoUnknownKeys<O[keyof O & 'defaults'], NonNullable<QueueModuleOptions['defaults']>>;
};

/**
 * `O`, but not a place TypeScript infers `O` from (the built-in NoInfer needs TypeScript 5.4;
 * this works in earlier 5.x compilers of apps too).
 */
type Checked<O> = [O][O extends unknown ? 0 : never];

/** `forRootAsync`'s options, with the factory's result held to ExactModuleOptions. */
export type QueueModuleAsyncOptions<O extends QueueModuleOptions> = Omit<
  typeof QUEUE_MODULE_ASYNC_OPTIONS_TYPE,
  'useFactory'
> & {
  useFactory?: ((...args: never[]) => O | Promise<O>) &
    ((
      ...args: never[]
    ) => ExactModuleOptions<Checked<O>> | Promise<ExactModuleOptions<Checked<O>>>);
};
