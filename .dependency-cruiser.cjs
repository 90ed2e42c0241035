// Import rules for src/: each folder imports only folders below it, nothing imports in a circle, library code never loads the CLI.
// Layers, lowest first: base, catalog, events, wire, scenario, then contract | load | receiver, report, then commands | playwright, then the entry files in src/.
const layers = [['base'], ['catalog'], ['events'], ['wire'], ['scenario'], ['contract', 'load', 'receiver'], ['report'], ['commands', 'playwright']];

const folder = (names) => `^src/(${names.join('|')})/`;
const above = (index) => layers.slice(index + 1).flat();

const upward = layers.flatMap((names, index) => {
  const rules = [];
  if (index < layers.length - 1) {
    rules.push({
      name: `no-upward-from-${names.join('-')}`,
      comment: `${names.join(', ')} may import only folders below it`,
      severity: 'error',
      from: { path: folder(names) },
      to: { path: `${folder(above(index))}|^src/[^/]+\\.ts$` },
    });
  } else {
    rules.push({
      name: `no-entry-files-from-${names.join('-')}`,
      comment: `${names.join(', ')} may not import the entry files in src/`,
      severity: 'error',
      from: { path: folder(names) },
      to: { path: '^src/[^/]+\\.ts$' },
    });
  }
  // Folders on one layer are independent of each other.
  for (const name of names) {
    const siblings = names.filter((other) => other !== name);
    if (siblings.length > 0) {
      rules.push({
        name: `no-sideways-from-${name}`,
        comment: `${name} does not import ${siblings.join(' or ')}, which stand beside it`,
        severity: 'error',
        from: { path: folder([name]) },
        to: { path: folder(siblings) },
      });
    }
  }
  return rules;
});

module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'no import cycles, type-only imports included', severity: 'error', from: { path: '^src/' }, to: { circular: true } },
    {
      name: 'commander-only-in-commands',
      comment: 'only the command layer (and the bin entry) parses the command line',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(commands/|cli\\.ts$)' },
      to: { path: 'node_modules/commander/' },
    },
    {
      name: 'library-never-loads-the-cli',
      comment: 'src/index.ts and src/playwright.ts, and all they reach, stay clear of the command layer',
      severity: 'error',
      from: { path: '^src/(index|playwright)\\.ts$' },
      to: { path: '^src/commands/', reachable: true },
    },
    ...upward,
  ],
  options: {
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    includeOnly: { path: ['^src/', 'node_modules/commander/'] },
    moduleSystems: ['es6'],
  },
};
