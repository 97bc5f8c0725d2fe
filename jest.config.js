/**
 * Real Redis for every test: global setup starts a private redis-server on a free port.
 * Three projects: every test on Nest 12 (the repository's own), the end-to-end tests again in the
 * 'queue' key layout, and again on Nest 11 (installed apart in test/compat/nest11 by `npm test`'s
 * pretest step).
 */
const nest11 = '<rootDir>/test/compat/nest11/node_modules';

const shared = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  // Nest 12 is ES modules only; see the transform for why Jest needs them rewritten.
  transformIgnorePatterns: ['/node_modules/(?!@nestjs/)'],
};

module.exports = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: 2,
  testTimeout: 30000,
  projects: [
    {
      ...shared,
      displayName: 'nest12',
      globals: { TASKMILL_NEST_MAJOR: 12 },
      testMatch: ['<rootDir>/test/**/*.spec.ts'],
      transform: {
        '^.+\\.ts$': 'ts-jest',
        '/node_modules/@nestjs/.+\\.js$': '<rootDir>/test/support/esm-to-commonjs.transform.js',
      },
    },
    {
      ...shared,
      // The end-to-end tests again with a hash slot per queue shard (keyLayout: 'queue'), on
      // one server: each script must keep to its slot there too.
      displayName: 'queue-layout',
      globals: { TASKMILL_NEST_MAJOR: 12 },
      testMatch: ['<rootDir>/test/e2e/**/*.spec.ts'],
      setupFiles: ['<rootDir>/test/support/queue-layout.setup.js'],
      transform: {
        '^.+\\.ts$': 'ts-jest',
        '/node_modules/@nestjs/.+\\.js$': '<rootDir>/test/support/esm-to-commonjs.transform.js',
      },
    },
    {
      ...shared,
      displayName: 'nest11',
      globals: { TASKMILL_NEST_MAJOR: 11 },
      testMatch: ['<rootDir>/test/e2e/**/*.spec.ts'],
      transform: {
        '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/compat/nest11/tsconfig.json' }],
      },
      // One copy of rxjs and reflect-metadata for both, as in an app.
      moduleNameMapper: {
        '^@nestjs/(common|core|testing)$': `${nest11}/@nestjs/$1`,
        '^@nestjs/(common|core|testing)/(.*)$': `${nest11}/@nestjs/$1/$2`,
        '^rxjs$': '<rootDir>/node_modules/rxjs',
        '^rxjs/(.*)$': '<rootDir>/node_modules/rxjs/$1',
        '^reflect-metadata$': '<rootDir>/node_modules/reflect-metadata',
      },
    },
  ],
};
