// The Digital River Event envelope as drhook generates, sends and validates it.
export type Mode = 'test' | 'live';

export interface DrEvent {
  id: string;
  type: string;
  data: { object: unknown; previousAttributes?: Record<string, unknown> };
  liveMode: boolean;
  createdTime: string;
  digitalriverVersion?: string;
  webhookIds?: string[];
  [extra: string]: unknown;
}
