/** Unit tests (no database, no models) and e2e tests (the whole app over HTTP). */
const tsJest = [
  'ts-jest',
  {
    tsconfig: 'tsconfig.json',
    // The same @nestjs/swagger plugin as `nest build`, so the OpenAPI document in tests matches production.
    astTransformers: { before: [{ path: '@nestjs/swagger/plugin', options: { introspectComments: true, classValidatorShim: true, dtoFileNameSuffix: ['.dto.ts'] } }] },
  },
];

module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/src', '<rootDir>/test/unit', '<rootDir>/scripts'],
      testMatch: ['**/*.spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/e2e'],
      testMatch: ['**/*.e2e-spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
      testTimeout: 120000,
    },
  ],
};
