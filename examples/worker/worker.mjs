// A background worker behind a webhook endpoint that answers 202 at once: it books accepted orders, and has one defect.

const isRecord = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A worker with its own ledger: `handle(event)` books an order.accepted event, ignores other types, rejects what it cannot read. */
export function createWorker() {
  const ledger = new Map();
  return {
    ledger,
    async handle(event) {
      if (!isRecord(event) || event.type !== 'order.accepted') return { status: 'ignored' };
      const order = event.data?.object;
      if (!isRecord(order) || typeof order.id !== 'string') return { status: 'rejected', reason: 'no order id' };
      if (!Array.isArray(order.items)) return { status: 'rejected', reason: 'no item list' };
      const total = typeof order.totalAmount === 'number' ? order.totalAmount : 0;
      const currency = typeof order.currency === 'string' ? order.currency : 'USD';
      // The defect: the average item amount, in cents, for the ledger. An order whose item list is empty has none:
      // total / 0 is Infinity (or NaN), and BigInt throws a RangeError on it.
      const averageCents = BigInt(Math.round((total / order.items.length) * 100));
      ledger.set(order.id, { total, currency, items: order.items.length, averageCents });
      return { status: 'booked', orderId: order.id };
    },
  };
}
