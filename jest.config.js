/** Unit tests (no database, no models) and e2e tests (the whole app over HTTP). */
const tsJest = [
  'ts-jest',
  {
    tsconfig: 'tsconfig.json',
    // TS151002: ts-jest's note about node16 module kind; we type-check with `npm run typecheck`.
    diagnostics: { ignoreCodes: [151002] },
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
      roots: ['<rootDir>/src', '<rootDir>/test/unit', '<rootDir>/scripts'],
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
