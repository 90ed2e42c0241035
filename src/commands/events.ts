// The `drhook events` command: lists the supported Digital River event types by category.
import type { Command } from 'commander';
import { categories, eventTypes } from '../catalog/events.js';
import { colorEnabled, palette } from '../report/ansi.js';

export function register(program: Command): void {
  program
    .command('events')
    .description('List the supported Digital River event types by category (--json: the full catalog).')
    .option('--json', 'print the catalog entries as JSON')
    .action((options: { json?: boolean }) => {
      process.stdout.write(options.json ? `${JSON.stringify(eventTypes(), null, 2)}\n` : listing());
    });
}

function listing(): string {
  const color = palette(colorEnabled(process.stdout));
  const width = Math.max(...eventTypes().map((entry) => entry.type.length)) + 2;
  const lines: string[] = [];
  for (const { category, types } of categories()) {
    lines.push(color.bold(category));
    for (const entry of types) {
      const tags = [entry.retired ? 'retired' : '', entry.expandedSchema ? 'expandable' : '', entry.documented ? '' : 'undocumented'].filter(Boolean);
      lines.push(`  ${tags.length ? entry.type.padEnd(width) + color.dim(tags.join('; ')) : entry.type}`);
    }
    lines.push('');
  }
  const undocumented = eventTypes().filter((entry) => !entry.documented).length;
  const retired = eventTypes().filter((entry) => entry.retired).length;
  lines.push(
    `${eventTypes().length} event types. ${undocumented} undocumented: the public record does not describe their data.object, so drhook requires none of its fields.`,
    `${retired} retired: Digital River's release notes retire them (drhook events --json quotes the note); drhook still generates them for receivers that handle old names.`,
    'Expandable types have a form in which items[].productDetails carries physical and metadata (drhook validate --expanded).',
  );
  return `${lines.join('\n')}\n`;
}
