// Which order an event is about: read by receivers that look orders up, rewritten by runs that name orders a receiver knows.
import { isRecord } from '../base/is-record.js';
import { eventType, isEventType } from '../catalog/events.js';
import type { DrEvent } from './event.js';

/**
 * The order id of an event: data.object.id when data.object is an order (order.accepted, order.charge.refund.failed),
 * else the first `orderId` found breadth-first in it (a charge's, a refund's, subscription.extended's invoice.orderId).
 */
export function orderIdOf(event: DrEvent): string | undefined {
  const object = event.data?.object;
  if (!isRecord(object)) return undefined;
  if (isEventType(event.type) && eventType(event.type).resource === 'Order') return nonEmptyString(object.id);
  const queue: unknown[] = [object];
  while (queue.length > 0) {
    const value = queue.shift();
    if (Array.isArray(value)) queue.push(...value);
    else if (isRecord(value)) {
      const id = nonEmptyString(value.orderId);
      if (id !== undefined) return id;
      queue.push(...Object.values(value));
    }
  }
  return undefined;
}

/** Makes the event about order `id`: every string in data.object equal to its order id (orderId, orderDetails.id…) becomes `id`. */
export function setOrderId(event: DrEvent, id: string): void {
  const current = orderIdOf(event);
  if (current === undefined) return;
  const replace = (value: unknown): unknown => {
    if (value === current) return id;
    if (Array.isArray(value)) return value.map(replace);
    if (!isRecord(value)) return value;
    for (const key of Object.keys(value)) value[key] = replace(value[key]);
    return value;
  };
  event.data.object = replace(event.data.object);
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
