// A judgement with its one-line reason; `warn` is how an advisory check fails.
export type Verdict =
  | { status: 'pass'; reason: string }
  | { status: 'fail'; reason: string }
  | { status: 'warn'; reason: string };

export type VerdictStatus = Verdict['status'];
