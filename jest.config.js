/** Unit tests (no database, no models) and e2e tests (the whole app over HTTP). */
const tsJest = [
  'ts-jest',
  {
    tsconfig: 'tsconfig.json',
    // The same @nestjs/swagger plugin as `nest build`, so the OpenAPI document in tests matches production.
    astTransformers: { before: ['<rootDir>/test/swagger-transformer.js'] },
  },
];

module.exports = {
  testTimeout: 120000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: '<rootDir>/test/node-environment.js',
      roots: ['<rootDir>/src', '<rootDir>/scripts', '<rootDir>/deploy'],
      testMatch: ['**/*.spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
    },
    {
      displayName: 'e2e',
      testEnvironment: '<rootDir>/test/node-environment.js',
      roots: ['<rootDir>/test/e2e'],
      testMatch: ['**/*.e2e-spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
    },
  ],
};
