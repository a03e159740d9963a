import tseslint from 'typescript-eslint';

// The folder layers of src/, lowest first (docs/architecture.md). A folder imports only its own
// layer and lower ones; src/index.ts (the package root) only re-exports and no folder imports it.
const LAYERS = ['core', 'onnx', 'autodiff', 'optim', 'graphs', 'runtime', 'data', 'zoo', 'plot', 'geometry', 'train', 'study', 'cli'];

/** ESLint's own no-restricted-imports, one block per folder: import paths naming a higher layer fail. */
function layerRules() {
  return LAYERS.map((layer, i) => {
    const higher = LAYERS.slice(i + 1);
    const patterns = [{
      // '..', '../..', '../index': the package root (or a folder's own index) from inside src/.
      regex: '^\\.\\.(/\\.\\.)*(/index)?$',
      message: `src/${layer} may not import the package root: import the module itself`,
    }];
    if (higher.length > 0) {
      patterns.push({
        regex: `^(\\.\\./)+(${higher.join('|')})(/|$)`,
        message: `src/${layer} may not import a higher layer (${higher.join(', ')}); layers, lowest first: ${LAYERS.join(' → ')}. Move the code to the layer where it belongs`,
      });
    }
    return { files: [`src/${layer}/**/*.ts`], rules: { 'no-restricted-imports': ['error', { patterns }] } };
  });
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bin/**', 'eslint.config.mjs', 'src/onnx/onnx-proto.d.ts'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  { files: ['src/cli/**', 'tools/**'], rules: { 'no-console': 'off' } },
  ...layerRules(),
);
