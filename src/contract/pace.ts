// Per event type, whether the receiver keeps pace: a type whose processed events time out again and again gets no more of them.
import { isSuccess } from '../wire/ack.js';
import type { DeliveryOutcome } from '../wire/outcome.js';

/** Timeouts (none acknowledged in between) after which a type's processed events are no longer sent, once its plain valid event timed out too. */
export const SLOW_STREAK = 3;
/**
 * The same when its plain valid event was answered: a handler that hangs on every change of one field still gets each
 * of them judged, one that hangs on everything but the plain event does not hold up the run.
 */
export const HANG_STREAK = 32;

export interface Pace {
  /**
   * Counts the outcomes of a processed case of `eventType`, in delivery order; `valid` for its plain valid event. A
   * timeout counts, an acknowledgement starts the count again.
   */
  note(eventType: string, outcomes: readonly DeliveryOutcome[], valid: boolean): void;
  /** Why the processed cases of `eventType` are no longer sent, once they are not. */
  stopped(eventType: string): string | undefined;
}

interface TypePace {
  /** Timeouts since the last acknowledgement (a quick refusal of a changed event neither counts nor resets it). */
  streak: number;
  /** Its plain valid event got an answer (any status) before the deadline. */
  validAnswered: boolean;
  stopped?: string;
}

export function createPace(deadlineMs: number): Pace {
  const types = new Map<string, TypePace>();
  return {
    note(eventType, outcomes, valid) {
      let pace = types.get(eventType);
      if (pace === undefined) types.set(eventType, (pace = { streak: 0, validAnswered: false }));
      if (pace.stopped !== undefined) return;
      for (const outcome of outcomes) {
        // An abort (the run interrupted) says nothing about the receiver.
        if (outcome.kind === 'error' && outcome.cause === 'aborted') continue;
        if (outcome.kind !== 'timeout') {
          if (outcome.kind === 'response' && isSuccess(outcome.status)) pace.streak = 0;
          if (valid) pace.validAnswered = true;
          continue;
        }
        pace.streak += 1;
        if (pace.streak < (pace.validAnswered ? HANG_STREAK : SLOW_STREAK)) continue;
        pace.stopped =
          `not sent: ${pace.streak} ${eventType} events timed out with none acknowledged in between (no complete answer within ${deadlineMs} ms), ` +
          `so drhook sent no more ${eventType} events that need processing; answer at once (202 Accepted) and process afterwards`;
        return;
      }
    },
    stopped: (eventType) => types.get(eventType)?.stopped,
  };
}
