/**
 * The folder rules of DESIGN.md, as lint rules: data flows one way, and a lower stage never
 * imports a higher one. Each entry: the folders it applies to, the folders they must not
 * import, and for some, folders they may import for types only.
 */
const HARNESS_UP = ['scripts', 'test', 'bench'];
const LATER = ['store', 'analysis', 'alerting', 'monitor', 'report'];

/** [folder, must not import, may import for types only] */
const RULES = [
  // core/: shared primitives; config's types and nothing else of the project.
  ['core', ['fixtures', 'checks', 'reporters', 'demo-portal', ...LATER, ...HARNESS_UP], ['config']],
  ['config', ['fixtures', 'checks', 'reporters', 'demo-portal', ...LATER, ...HARNESS_UP], []],
  ['fixtures', ['checks', 'reporters', 'demo-portal', ...LATER, ...HARNESS_UP], []],
  ['checks', ['reporters', 'demo-portal', ...LATER, ...HARNESS_UP], []],
  // Reporters read the typed attachment in core/, never the runtime that writes it.
  ['reporters', ['fixtures', 'checks', 'demo-portal', ...LATER, ...HARNESS_UP], []],
  ['store', ['fixtures', 'checks', 'reporters', 'demo-portal', 'analysis', 'alerting', 'monitor', 'report', ...HARNESS_UP], []],
  ['analysis', ['fixtures', 'checks', 'reporters', 'demo-portal', 'alerting', 'monitor', 'report', ...HARNESS_UP], []],
  ['alerting', ['fixtures', 'checks', 'reporters', 'demo-portal', 'monitor', 'report', ...HARNESS_UP], []],
  ['report', ['fixtures', 'checks', 'demo-portal', 'alerting', 'monitor', ...HARNESS_UP], []],
  ['monitor', ['demo-portal', ...HARNESS_UP], []],
  // The demo portal is a portal, not part of the harness: it knows nothing of it, and the harness nothing of its flavours.
  ['demo-portal', ['config', 'core', 'fixtures', 'checks', 'reporters', ...LATER, ...HARNESS_UP], []],
];

/** A relative import that climbs out of the file's folder into `f`/ (the project's top-level folders). */
const folderRegex = (f) => `^(\\.\\./)+${f}/`;

export const boundaries = RULES.map(([folder, never, typesOnly]) => ({
  files: [`${folder}/**/*.ts`],
  rules: {
    '@typescript-eslint/no-restricted-imports': ['error', {
      patterns: [
        ...never.map((f) => ({ regex: folderRegex(f), message: `${folder}/ must not import ${f}/ (DESIGN.md: data flows one way; a lower stage never imports a higher one).` })),
        ...typesOnly.map((f) => ({ regex: folderRegex(f), allowTypeImports: true, message: `${folder}/ may import only types from ${f}/.` })),
      ],
    }],
  },
}));
