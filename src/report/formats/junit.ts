// junit.xml: a contract run's checks and cases, a load run's steps and thresholds, as CI systems read test results.
import type { ReportFormat } from '../format.js';
import { renderJunit } from '../contract/junit.js';
import { renderLoadJunit } from '../load/junit.js';

export const junitFormat: ReportFormat<'junit'> = { name: 'junit', file: 'junit.xml', render: { contract: renderJunit, load: renderLoadJunit } };
