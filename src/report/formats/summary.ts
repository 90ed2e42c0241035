// summary.md: the run in Markdown, for a pull request or a CI job summary.
import type { ReportFormat } from '../format.js';
import { renderSummaryMarkdown } from '../contract/summary.js';
import { renderLoadSummaryMarkdown } from '../load/summary.js';

export const summaryFormat: ReportFormat<'summary'> = { name: 'summary', file: 'summary.md', render: { contract: renderSummaryMarkdown, load: renderLoadSummaryMarkdown } };
