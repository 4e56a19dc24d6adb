// Import contracts of the panel (docs/architecture.md, "Package layout"),
// run by `jlpm lint:deps` as part of `jlpm lint:check`. The specs are left
// out: they may import across layers to set up what they test.
const UPPER = '^src/(components|panel|views|dialogs|tabs|plugins)/';
// Wherever node_modules resolves (a linked node_modules resolves to its real path).
const REACT = '(^|/)node_modules/(@types/)?(react|react-dom)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'No import cycles, type-only imports included: a cycle hides which module is the lower layer.',
      from: {},
      to: { circular: true }
    },
    {
      name: 'components-are-leaves',
      severity: 'error',
      comment:
        'Shared widgets are used by the panel, the views and the dialogs, never the other way round.',
      from: { path: '^src/components/' },
      to: { path: '^src/(plugins|panel|views|dialogs|tabs)/' }
    },
    {
      name: 'api-is-the-bottom',
      severity: 'error',
      comment:
        'The REST client and its types know no React, no state and no widget.',
      from: { path: '^src/api/' },
      to: { path: [UPPER, '^src/model/', REACT] }
    },
    {
      name: 'model-has-no-views',
      severity: 'error',
      comment:
        'State and polling: no React, no widget; HTTP only through the IVertexAPI interface.',
      from: { path: '^src/model/' },
      to: { path: [UPPER, REACT] }
    },
    {
      name: 'only-plugins-import-plugins',
      severity: 'error',
      comment:
        'Plugins wire everything together; nothing below them may depend on a plugin.',
      from: { path: '^src/', pathNot: '^src/(plugins/|index\\.ts$)' },
      to: { path: '^src/plugins/' }
    }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)__tests__/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.d.ts']
    }
  }
};
