import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const ADAPTERS = {
  group: [
    '**/store/sqlite/**',
    '**/store/postgres/**',
    '**/queue/outbox/**',
    '**/queue/rabbitmq/**',
    '**/warehouse/drivers/**',
  ],
  message: 'Depend on the interface; adapters are chosen in src/adapters.ts.',
};

/**
 * The import fences of `files`. ESLint keeps the last setting of a rule that applies to a file, so
 * each folder's fence repeats the adapter fence that holds for all of src/ (tests are exempt).
 * @param {string[] | undefined} files
 * @param {...{ group: string[]; message: string }} patterns
 * @returns {{ files?: string[]; rules: Record<string, unknown> }}
 */
const fence = (files, ...patterns) => ({
  ...(files && { files }),
  rules: { 'no-restricted-imports': ['error', { patterns: [ADAPTERS, ...patterns] }] },
});

export default tseslint.config(
  { ignores: ['node_modules', 'data', 'coverage', 'bench/results', 'test-artifacts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Fastify plugins are async functions by contract, with or without an await inside.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  // Only the composition root picks concrete adapters; everything else depends on interfaces.
  { files: ['src/**/*.ts'], ignores: ['src/adapters.ts'], ...fence() },
  // The faces are siblings in the HTTP shell (src/server/); what both need lives in src/http/.
  fence(['src/web/**/*.ts'], {
    group: ['**/api/**', '**/server/**'],
    message: 'The web pages never import the API (nor the shell): share through src/http/.',
  }),
  fence(['src/api/**/*.ts'], {
    group: ['**/web/**', '**/server/**'],
    message: 'The API never imports the web pages (nor the shell): share through src/http/.',
  }),
  fence(['src/http/**/*.ts'], {
    group: ['**/api/**', '**/web/**', '**/server/**'],
    message: 'src/http/ is shared by both faces and imports neither.',
  }),
  {
    // The pages' scripts run in the browser as plain ES modules, outside the TypeScript project.
    files: ['src/web/public/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false, project: false, program: null },
      // Chart is the global of Chart.js's UMD bundle, loaded by a <script> before the page's module.
      globals: { ...globals.browser, Chart: 'readonly' },
    },
  },
  {
    files: ['test/**/*.ts'],
    // Tests read JSON answers loosely typed; the assertions are the type checks.
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
