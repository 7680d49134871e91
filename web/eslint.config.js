import js from '@eslint/js';
import globals from 'globals';

// Text reaches the page only as text nodes (dom.js's h()); these rules keep
// every HTML-parsing sink out, so agent-supplied strings never become markup.
const HTML_SINKS = ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'createContextualFragment', 'srcdoc'].map((property) => ({
  property,
  message: 'Build elements with h() from dom.js: text must never be parsed as HTML.',
}));

export default [
  { ignores: ['dist/', 'node_modules/'] },
  js.configs.recommended,
  {
    files: ['src/**/*.js'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: globals.browser },
    rules: {
      'no-restricted-properties': ['error', ...HTML_SINKS, { object: 'document', property: 'write', message: 'document.write parses HTML.' }],
      'no-unused-vars': ['error', { args: 'after-used', caughtErrors: 'none' }],
      eqeqeq: ['error', 'always'],
      'prefer-const': 'error',
    },
  },
  {
    files: ['*.config.js'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: globals.node },
  },
];
