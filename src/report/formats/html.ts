// report.html: the run as one self-contained page (charts for load), opened from disk.
import type { ReportFormat } from '../format.js';
import { renderContractHtml } from '../contract/html.js';
import { renderLoadHtml } from '../load/html.js';

export const htmlFormat: ReportFormat<'html'> = { name: 'html', file: 'report.html', render: { contract: renderContractHtml, load: renderLoadHtml } };
