// Words every load writer shares: the verdict in one word, and whether a step's rate is of answers or of sends.
import type { LoadReport } from '../../load/report.js';
import type { LoadPlan } from '../../load/settings.js';

/** Closed loop with --count the rate runs to the last answer: it is what was answered per second, not sent. */
export function rateIsAnswered(report: LoadReport): boolean {
  // Settings without a plan (a hand-made report) say nothing of a count: the rate is then what was sent.
  const plan = report.settings['plan'] as LoadPlan | undefined;
  return plan?.kind === 'steady' && plan.pace.kind === 'closed' && plan.stop.kind === 'count';
}

/** The verdict in a word: pass, fail, inconclusive, or interrupted for a run stopped before it could be judged. */
export function verdictWord(verdict: LoadReport['verdict']): 'pass' | 'fail' | 'inconclusive' | 'interrupted' {
  return verdict.status === 'inconclusive' && verdict.cause === 'interrupted' ? 'interrupted' : verdict.status;
}
