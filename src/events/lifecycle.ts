// What an event type says happened: the resource's state, its state transitions, the captures, refunds and cancels of its charges, and times that run forward to the event.
import { isRecord } from '../base/is-record.js';
import type { EventTypeInfo } from '../catalog/events.js';
import type { Scene } from './realism.js';
import { balanceDocument, isPricedDocument, purchaseTotals, type Totals } from './totals.js';

type Json = Record<string, unknown>;

const second = 1000;
const minute = 60 * second;
const day = 24 * 60 * minute;

function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function iso(ms: number): string {
  return `${new Date(Math.floor(ms / second) * second).toISOString().slice(0, -5)}Z`;
}

/**
 * `count` increasing whole-second instants after `from`: the last within seconds before `to` (the event's time by
 * default: events follow what they report at once), the first seconds after `from`, the others in between.
 */
function instants(scene: Scene, from: number, count: number, to = scene.now.getTime()): number[] {
  if (count <= 0) return [];
  const { random } = scene;
  const last = Math.min(to, Math.max(from + second, to - random.int(0, 3) * second));
  const first = Math.min(last, from + random.int(2, 10) * second);
  const middle = Array.from({ length: Math.max(0, count - 2) }, () => random.int(first / second, last / second) * second);
  const times = count === 1 ? [last] : [first, ...middle.sort((a, b) => a - b), last];
  return times.map((t) => Math.floor(t / second) * second);
}

function timeOf(value: unknown, fallback: number): number {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isNaN(ms) ? fallback : ms;
}

/** A capture, refund or cancel of a charge. */
function operation(scene: Scene, at: number, amount: number, state: string, failureCode?: string): Json {
  return { id: scene.random.uuid(), createdTime: iso(at), amount, state, ...(failureCode ? { failureCode } : {}) };
}

const failureMessages: Record<string, string> = {
  declined: 'The payment was declined by the issuer.',
  'failed-request': 'The request to the payment provider failed.',
  'reauthorization-failed': 'The authorization could not be renewed.',
  'refund-failed': 'The payment provider rejected the refund.',
};

// ---- orders ----------------------------------------------------------------------------------------------------

type OrderState = 'pending_payment' | 'in_review' | 'blocked' | 'accepted' | 'cancelled' | 'fulfilled' | 'complete' | 'returned' | 'dispute';

/** The states an order passes through to reach each state. */
const orderFlows: Record<OrderState, OrderState[]> = {
  pending_payment: ['pending_payment'],
  in_review: ['in_review'],
  blocked: ['blocked'],
  accepted: ['accepted'],
  cancelled: ['accepted', 'cancelled'],
  fulfilled: ['accepted', 'fulfilled'],
  complete: ['accepted', 'fulfilled', 'complete'],
  returned: ['accepted', 'fulfilled', 'complete', 'returned'],
  dispute: ['accepted', 'fulfilled', 'complete', 'dispute'],
};

const itemStates: Record<OrderState, string> = {
  pending_payment: 'created',
  in_review: 'created',
  accepted: 'created',
  blocked: 'blocked',
  cancelled: 'cancelled',
  fulfilled: 'fulfilled',
  complete: 'fulfilled',
  dispute: 'fulfilled',
  returned: 'returned',
};

interface OrderStory {
  state: OrderState;
  /** A refund of the order's charge, and how it ended. */
  refund?: 'complete' | 'failed';
}

/** Order events whose state the catalog leaves open. */
const orderStories: Record<string, OrderStory> = {
  'order.created': { state: 'accepted' },
  'order.submitted': { state: 'accepted' },
  'order.updated': { state: 'accepted' },
  'order.review_closed': { state: 'accepted' },
  'order.invoice.created': { state: 'fulfilled' },
  'order.refunded': { state: 'complete', refund: 'complete' },
  'order.credit_memo.created': { state: 'complete', refund: 'complete' },
  'order.charge.refund.failed': { state: 'complete', refund: 'failed' },
  'order.chargeback': { state: 'complete' },
  'order.dispute': { state: 'dispute' },
  'order.dispute.resolved': { state: 'complete' },
};

function isOrderState(value: string | undefined): value is OrderState {
  return value !== undefined && value in orderFlows;
}

function orderStory(info: EventTypeInfo): OrderStory {
  const story = orderStories[info.type] ?? { state: 'accepted' };
  return isOrderState(info.state) ? { ...story, state: info.state } : story;
}

/** Settles an order whose last transition happened just before `until` (the event's time by default). */
function settleOrder(order: Json, story: OrderStory, scene: Scene, until = scene.now.getTime()): void {
  const totals = isPricedDocument(order) ? balanceDocument(order, scene) : purchaseTotals(scene);
  const total = totals.totalAmount;
  const created = timeOf(order.createdTime, scene.origin.getTime());
  const flow = orderFlows[story.state];
  const times = instants(scene, created + 2 * second, flow.length + (story.refund ? 1 : 0), Math.max(until, created + 3 * second));
  const at = (state: OrderState) => times[flow.indexOf(state)] ?? created;
  const last = times[times.length - 1] ?? created;

  order.state = story.state;
  if ('stateTransitions' in order) order.stateTransitions = Object.fromEntries(flow.map((state, i) => [state, iso(times[i] ?? created)]));
  if ('updatedTime' in order) order.updatedTime = iso(last);
  const fraudState = story.state === 'in_review' ? 'review_opened' : story.state === 'blocked' ? 'blocked' : 'passed';
  if (story.state === 'pending_payment') {
    delete order.fraudState;
    delete order.fraudStateTransitions;
  } else {
    if ('fraudState' in order) order.fraudState = fraudState;
    if ('fraudStateTransitions' in order) order.fraudStateTransitions = { [fraudState]: iso(times[0] ?? created) };
  }

  const itemState = itemStates[story.state];
  const refundable = story.state === 'complete' || story.state === 'dispute';
  records(order.items).forEach((item, index) => {
    if ('state' in item) item.state = itemState;
    if ('stateTransitions' in item) {
      const createdAt = { created: iso(created + second) };
      item.stateTransitions = itemState === 'created' ? createdAt : { ...createdAt, [itemState]: iso(at(itemState === 'fulfilled' ? 'fulfilled' : story.state)) };
    }
    const money = totals.lines[index];
    if ('availableToRefundAmount' in item) item.availableToRefundAmount = refundable && money ? scene.round(money.amount + money.tax) : 0;
  });

  const refunded = story.refund === 'complete' ? total : 0;
  const captured = flow.includes('fulfilled');
  const cancelled = story.state === 'cancelled' || story.state === 'blocked';
  if ('capturedAmount' in order) order.capturedAmount = captured ? total : 0;
  if ('cancelledAmount' in order) order.cancelledAmount = cancelled ? total : 0;
  if ('refundedAmount' in order) order.refundedAmount = refunded;
  if ('availableToRefundAmount' in order) order.availableToRefundAmount = refundable ? scene.round(total - refunded) : 0;
  if (story.refund === 'complete') for (const item of records(order.items)) if ('availableToRefundAmount' in item) item.availableToRefundAmount = 0;

  if (isRecord(order.payment)) settleOrderPayment(order.payment, story, total, { created, at, last }, scene);
}

function settleOrderPayment(
  payment: Json,
  story: OrderStory,
  total: number,
  time: { created: number; at: (state: OrderState) => number; last: number },
  scene: Scene,
): void {
  const wire = story.state === 'pending_payment';
  for (const source of records(payment.sources)) usePaymentMethod(source, wire ? 'wireTransfer' : 'creditCard', scene);
  if (isRecord(payment.session)) payment.session.state = wire ? 'pending_funds' : 'complete';
  if (wire) {
    delete payment.charges;
    return;
  }
  const charge = records(payment.charges)[0];
  if (!charge) return;
  if ('createdTime' in charge) charge.createdTime = iso(time.created);
  charge.type = 'customer_initiated';
  const flow = orderFlows[story.state];
  const ops: ChargeStory = flow.includes('complete')
    ? { state: 'complete', captures: 'complete' }
    : flow.includes('fulfilled')
      ? { state: 'processing', captures: 'pending' }
      : story.state === 'cancelled' || story.state === 'blocked'
        ? { state: 'cancelled', cancels: 'complete' }
        : { state: 'capturable' };
  if (story.refund) ops.refunds = story.refund;
  settleCharge(charge, ops, total, { created: time.created, at: { captures: time.at('fulfilled'), refunds: time.last, cancels: time.last } }, scene);
}

// ---- charges ---------------------------------------------------------------------------------------------------

type OperationState = 'pending' | 'complete' | 'failed' | 'pending_information';

interface ChargeStory {
  state: string;
  captures?: OperationState;
  refunds?: OperationState;
  cancels?: OperationState;
  /** The charge itself failed, with this failure code. */
  failure?: string;
}

/** order.charge.<suffix> → what happened to the charge; states as in Digital River's samples (a captured charge stays capturable). */
const chargeStories: Record<string, ChargeStory> = {
  created: { state: 'pending' },
  pending: { state: 'pending' },
  capturable: { state: 'capturable' },
  complete: { state: 'complete', captures: 'complete' },
  completed: { state: 'complete', captures: 'complete' },
  failed: { state: 'failed', failure: 'declined' },
  cancelled: { state: 'cancelled', cancels: 'complete' },
  'reauth.failed': { state: 'failed', failure: 'reauthorization-failed' },
  'capture.created': { state: 'processing', captures: 'pending' },
  'capture.pending': { state: 'processing', captures: 'pending' },
  'capture.complete': { state: 'capturable', captures: 'complete' },
  'capture.completed': { state: 'capturable', captures: 'complete' },
  'capture.failed': { state: 'capturable', captures: 'failed' },
  'refund.created': { state: 'complete', captures: 'complete', refunds: 'pending' },
  'refund.pending': { state: 'complete', captures: 'complete', refunds: 'pending' },
  'refund.complete': { state: 'processing', captures: 'pending', refunds: 'complete' },
  'refund.completed': { state: 'processing', captures: 'pending', refunds: 'complete' },
  'refund.failed': { state: 'complete', captures: 'complete', refunds: 'failed' },
  'cancel.complete': { state: 'capturable', cancels: 'complete' },
  'cancel.failed': { state: 'capturable', cancels: 'failed' },
  'cancel.pending': { state: 'capturable', cancels: 'pending' },
  'cancel.pending_information': { state: 'capturable', cancels: 'pending_information' },
};

const operationFailures = { captures: 'failed-request', refunds: 'refund-failed', cancels: 'failed-request' } as const;

interface ChargeTiming {
  /** When the charge was created; its operations follow, the last just before the event. */
  created: number;
  /** Fixed times of the operations instead (an order's charge follows the order's transitions). */
  at?: Record<'captures' | 'cancels' | 'refunds', number>;
}

/** Settles a charge of `amount`; a refund takes `refundAmount` (the whole amount unless given). */
function settleCharge(charge: Json, story: ChargeStory, amount: number, timing: ChargeTiming, scene: Scene, refundAmount = amount): void {
  charge.amount = amount;
  charge.state = story.state;
  const kinds = (['captures', 'cancels', 'refunds'] as const).filter((kind) => story[kind] !== undefined);
  const auto = instants(scene, timing.created, kinds.length);
  kinds.forEach((kind, i) => {
    const state = story[kind] as OperationState;
    const at = timing.at?.[kind] ?? auto[i] ?? timing.created;
    const failure = state === 'failed' ? operationFailures[kind] : undefined;
    charge[kind] = [operation(scene, at, kind === 'refunds' ? refundAmount : amount, state, failure)];
  });
  for (const kind of ['captures', 'cancels', 'refunds'] as const) if (!kinds.includes(kind)) delete charge[kind];
  if ('captured' in charge || story.captures) charge.captured = story.captures === 'complete' || story.captures === 'pending';
  if ('refunded' in charge || story.refunds) charge.refunded = story.refunds === 'complete';
  if (story.failure) {
    charge.failureCode = story.failure;
    charge.failureMessage = failureMessages[story.failure];
  } else {
    delete charge.failureCode;
    delete charge.failureMessage;
  }
}

// ---- payment sources -------------------------------------------------------------------------------------------

const paymentMethods = ['creditCard', 'googlePay', 'wireTransfer'] as const;
type PaymentMethod = (typeof paymentMethods)[number];

/** Makes a source one of `method`, with that method's details and no other method's. */
function usePaymentMethod(source: Json, method: PaymentMethod, scene: Scene): void {
  for (const other of paymentMethods) delete source[other];
  source.type = method;
  if ('state' in source) source.state = method === 'wireTransfer' ? 'pending_funds' : 'chargeable';
  if (method === 'wireTransfer') {
    source.wireTransfer = {
      accountHolder: 'Global Collect BV',
      bankName: 'Rabobank N.A.',
      city: 'Utrecht',
      country: 'NL',
      referenceId: scene.random.digits(12),
      accountNumber: scene.random.digits(10),
      swiftCode: 'RABONL2UXXX',
    };
  } else {
    source[method] = {
      brand: scene.card.brand,
      expirationMonth: scene.random.int(1, 12),
      expirationYear: scene.now.getUTCFullYear() + scene.random.int(1, 6),
      lastFourDigits: scene.card.lastFourDigits,
    };
  }
  if ('flow' in source) source.flow = method === 'wireTransfer' ? 'receiver' : 'standard';
}

const sourceStates: Record<string, string> = {
  'source.created': 'chargeable',
  'source.chargeable': 'chargeable',
  'customer.source.created': 'chargeable',
  'customer.source.deleted': 'chargeable',
};

function settleSource(source: Json, info: EventTypeInfo, scene: Scene): void {
  usePaymentMethod(source, scene.random.pick(['creditCard', 'creditCard', 'creditCard', 'googlePay', 'wireTransfer']), scene);
  if ('state' in source) source.state = info.state ?? sourceStates[info.type] ?? 'chargeable';
  if ('amount' in source) source.amount = purchaseTotals(scene).totalAmount;
  if ('reusable' in source) source.reusable = info.type.startsWith('customer.');
}

// ---- refunds ---------------------------------------------------------------------------------------------------

const refundStates: Record<string, string> = { 'refund.created': 'pending', 'refund.updated': 'succeeded' };
const chargeRefundStates: Record<string, string> = {
  pending: 'pending',
  pending_information: 'pending_information',
  succeeded: 'complete',
  failed: 'failed',
  expired: 'failed',
};

function settleRefund(refund: Json, info: EventTypeInfo, scene: Scene): void {
  const state = info.state ?? refundStates[info.type] ?? 'pending';
  const totals = purchaseTotals(scene);
  // A refund of items carries them and no amount of its own; a refund of an amount carries no items (the docs' examples).
  // A requested number of items (generate's itemCount) makes it a refund of items; otherwise a type whose examples
  // all carry an amount is a refund of an amount, one whose examples never do a refund of items.
  const byAmount = scene.random.chance(0.6);
  const keys = info.exampleKeys;
  const shownByAmount = keys?.shared.includes('amount') ? true : keys && !keys.seen.includes('amount') ? false : undefined;
  if ((shownByAmount ?? byAmount) && !scene.linesRequested) refund.items = [];
  const items = records(refund.items);
  const amount = items.length > 0
    ? scene.round(items.reduce((sum, _item, i) => sum + (totals.lines[i]?.amount ?? 0) + (totals.lines[i]?.tax ?? 0), 0))
    : totals.totalAmount;
  items.forEach((item, i) => {
    const money = totals.lines[i];
    delete item.type;
    delete item.percent;
    if ('amount' in item && money) item.amount = scene.round(money.amount + money.tax);
    if ('refundedAmount' in item && money) item.refundedAmount = state === 'succeeded' ? scene.round(money.amount + money.tax) : 0;
  });
  refund.state = state;
  if (items.length > 0) delete refund.amount;
  else refund.amount = amount;
  if ('refundedAmount' in refund) refund.refundedAmount = state === 'succeeded' ? amount : 0;
  const created = timeOf(refund.createdTime, scene.origin.getTime());
  const [processed = created] = instants(scene, created, 1);
  for (const charge of records(refund.charges)) {
    charge.captured = true;
    charge.refunded = state !== 'failed' && state !== 'expired';
    charge.refunds = [{ createdTime: iso(processed), amount, state: chargeRefundStates[state] ?? 'pending' }];
  }
  if (state === 'pending_information') refund.tokenInformation = { token: scene.random.uuid(), expiresTime: iso(processed + 90 * day) };
  else delete refund.tokenInformation;
  if (state === 'failed') refund.failureReason = 'The payment provider rejected the refund.';
  else delete refund.failureReason;
  if (state === 'expired') refund.expiresTime = iso(processed);
}

/** The invoice or credit memo file of order.invoice.created / order.credit_memo.created: the file's id is the id. */
function settleOrderDocument(document: Json, info: EventTypeInfo, scene: Scene): void {
  const id = scene.random.uuid();
  document.id = id;
  document.fileId = id;
  document.orderId = scene.id('order');
  document.customerId = scene.id('customer');
  document.purpose = info.type === 'order.credit_memo.created' ? 'customer_credit_memo' : 'customer_invoice';
  document.invoiceURL = `https://api.digitalriver.com/files/${id}/content`;
}

// ---- subscriptions and invoices --------------------------------------------------------------------------------

const subscriptionStates: Record<string, string> = {
  'subscription.created': 'draft',
  'subscription.deleted': 'draft',
  'subscription.updated': 'active',
  'subscription.source_invalid': 'active',
  'subscription.extended': 'active',
  'subscription.reminder': 'active',
  'subscription.payment_failed': 'activePendingInvoice',
};

/** subscription.* events that carry the invoice too, and the state of that invoice. */
const subscriptionInvoiceStates: Record<string, string> = {
  'subscription.extended': 'paid',
  'subscription.payment_failed': 'open',
  'subscription.reminder': 'draft',
};

/** `ms` moved by `months` calendar months (a monthly plan's interval: 25 August to 25 September). */
function addMonths(ms: number, months: number): number {
  const date = new Date(ms);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.getTime();
}

/**
 * Settles a subscription in `state` as of the event. `extended`: the event reports a renewal (subscription.extended),
 * which moves the current period's end, and the next invoice, forward by one interval.
 */
function settleSubscription(subscription: Json, state: string, scene: Scene, extended = false): void {
  subscription.state = state;
  const created = timeOf(subscription.createdTime, scene.origin.getTime());
  if (state === 'draft') {
    for (const key of ['customerId', 'sourceId', 'billingAgreementId', 'contractBindingUntil', 'currentPeriodStartDate', 'currentPeriodEndDate', 'nextInvoiceDate', 'nextReminderDate']) {
      delete subscription[key];
    }
    if ('stateTransitions' in subscription) subscription.stateTransitions = {};
    if ('updatedTime' in subscription) subscription.updatedTime = iso(created);
    return;
  }
  const now = scene.now.getTime();
  const activated = Math.min(created + scene.random.int(5, 60) * second, now);
  let periods = 0;
  while (addMonths(activated, periods + 1) <= now) periods++;
  const start = addMonths(activated, periods);
  const end = addMonths(activated, periods + (extended ? 2 : 1));
  const ended = ['failed', 'lapsed', 'cancelled', 'ended'].includes(state);
  // The change the event reports (renewal, failure, new source…) happened just before it.
  const [changed = now] = instants(scene, Math.max(start, activated), 1);
  const transitions: Json = { activated: iso(activated), ...(ended ? { [state]: iso(changed) } : {}) };
  if ('stateTransitions' in subscription) subscription.stateTransitions = transitions;
  if ('updatedTime' in subscription) subscription.updatedTime = iso(changed);
  if ('contractBindingUntil' in subscription) subscription.contractBindingUntil = iso(activated + 365 * day);
  if ('currentPeriodStartDate' in subscription) subscription.currentPeriodStartDate = iso(start);
  if ('currentPeriodEndDate' in subscription) subscription.currentPeriodEndDate = iso(end);
  if ('nextInvoiceDate' in subscription) subscription.nextInvoiceDate = iso(end);
  if ('nextReminderDate' in subscription) subscription.nextReminderDate = iso(end - scene.random.int(1, 7) * day);
}

const invoiceStates: Record<string, string> = {
  'invoice.created': 'draft',
  'invoice.updated': 'open',
  'invoice.payment_failed': 'open',
};

const invoiceFlows: Record<string, string[]> = {
  draft: ['draft'],
  open: ['draft', 'open'],
  paid: ['draft', 'open', 'paid'],
  void: ['draft', 'open', 'void'],
  uncollectible: ['draft', 'open', 'uncollectible'],
};

function settleInvoice(invoice: Json, state: string, failed: boolean, created: number, scene: Scene): void {
  const totals: Totals = isPricedDocument(invoice) ? balanceDocument(invoice, scene) : purchaseTotals(scene);
  const flow = invoiceFlows[state] ?? [state];
  const times = instants(scene, created, flow.length);
  invoice.state = state;
  if ('createdTime' in invoice) invoice.createdTime = iso(created);
  if ('stateTransitions' in invoice) invoice.stateTransitions = Object.fromEntries(flow.map((s, i) => [s, iso(times[i] ?? created)]));
  if ('updatedTime' in invoice) invoice.updatedTime = iso(times[times.length - 1] ?? created);
  if ('chargeType' in invoice) invoice.chargeType = 'merchant_initiated';
  if ('attemptCount' in invoice) invoice.attemptCount = state === 'draft' || state === 'void' ? 0 : state === 'uncollectible' ? 3 : 1;
  if (state !== 'paid') delete invoice.orderId;
  const payment = invoice.payment;
  if (!isRecord(payment)) return;
  for (const source of records(payment.sources)) usePaymentMethod(source, 'creditCard', scene);
  if (isRecord(payment.session)) payment.session.state = state === 'draft' ? 'requires_confirmation' : state === 'paid' ? 'complete' : 'failed';
  const charge = records(payment.charges)[0];
  if (state === 'draft' || !charge) {
    delete payment.charges;
    return;
  }
  charge.type = 'merchant_initiated';
  const story: ChargeStory =
    state === 'paid' ? { state: 'complete', captures: 'complete' } : failed || state !== 'open' ? { state: 'failed', failure: 'declined' } : { state: 'pending' };
  const chargedAt = times[times.length - 1] ?? created;
  if ('createdTime' in charge) charge.createdTime = iso(chargedAt);
  settleCharge(charge, story, totals.totalAmount, { created: chargedAt }, scene);
}

// ---- everything else -------------------------------------------------------------------------------------------

/** States the catalog leaves open, for the other resources: what the event most plausibly means. */
const impliedStates: Record<string, string> = {
  'plan.created': 'active',
  'plan.updated': 'active',
  'plan.deleted': 'draft',
  'customer.tax_identifier.created': 'pending',
  'tax_identifier.updated': 'verified',
  'tax_identifier.deleted': 'verified',
  'fulfillment_cancellation.created': 'pending',
  'return.updated': 'accepted',
  'global_returns.created': 'created',
  'global_returns.accepted': 'accepted',
  'logistics_return.received': 'accepted',
};

/**
 * Sets the state the event implies where the schema allows it, the same state on items that have one, and the
 * transition into it (at the last update) as the only one.
 */
function settleState(object: Json, info: EventTypeInfo, schema: Json): void {
  const state = info.state ?? impliedStates[info.type];
  if (state === undefined || !allows(schema, 'state', state)) return;
  object.state = state;
  const itemSchema = isRecord(schema.properties) && isRecord(schema.properties.items) && isRecord(schema.properties.items.items)
    ? schema.properties.items.items
    : {};
  for (const item of records(object.items)) {
    if ('state' in item && allows(itemSchema, 'state', state)) item.state = state;
    if ('quantityAccepted' in item) item.quantityAccepted = item.state === 'accepted' ? item.quantity : 0;
  }
  const transition = transitionNames[state] ?? state;
  if (isRecord(object.stateTransitions) && allowsKey(schema, 'stateTransitions', transition) && typeof object.updatedTime === 'string') {
    object.stateTransitions = { [transition]: object.updatedTime };
  }
}

/** The stateTransitions key of a state where the two differ. */
const transitionNames: Record<string, string> = { active: 'activated' };

const planNames: Record<string, string> = { year: 'Annual Plan', month: 'Monthly Plan', week: 'Weekly Plan', day: 'Daily Plan' };

function allows(schema: Json, property: string, value: string): boolean {
  const field = isRecord(schema.properties) ? schema.properties[property] : undefined;
  return isRecord(field) && (!Array.isArray(field.enum) || field.enum.includes(value));
}

function allowsKey(schema: Json, property: string, key: string): boolean {
  const field = isRecord(schema.properties) ? schema.properties[property] : undefined;
  return isRecord(field) && isRecord(field.properties) && key in field.properties;
}

/** Nothing is updated before it was created or before its last state transition. */
function settleTimes(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const element of value) settleTimes(element);
    return;
  }
  const record = value as Json;
  for (const key in record) settleTimes(record[key]);
  if (typeof record.updatedTime !== 'string') return;
  let latest = timeOf(record.createdTime, 0);
  if (isRecord(record.stateTransitions)) for (const t of Object.values(record.stateTransitions)) latest = Math.max(latest, timeOf(t, 0));
  if (timeOf(record.updatedTime, 0) < latest) record.updatedTime = iso(latest);
}

// ---- entry point -----------------------------------------------------------------------------------------------

/** A resource just created was last updated then; any other event follows its update at once. */
function settleUpdate(object: Json, info: EventTypeInfo, scene: Scene): void {
  if (typeof object.updatedTime !== 'string') return;
  const created = timeOf(object.createdTime, scene.origin.getTime());
  const [updated = created] = info.type.endsWith('.created') ? [created] : instants(scene, created, 1);
  object.updatedTime = iso(updated);
}

/** Resources whose lifecycle settles their own times. */
const timedResources = new Set(['Order', 'Charge', 'Refund', 'Fulfillment', 'Subscription', 'Invoice']);

/** Makes a dressed data.object tell the story of its event type. `schema` is the schema it was generated from. */
export function settleLifecycle(object: Json, info: EventTypeInfo, schema: Json, scene: Scene): void {
  if (!timedResources.has(info.resource)) settleUpdate(object, info, scene);
  switch (info.resource) {
    case 'Order':
      settleOrder(object, orderStory(info), scene);
      settleOrderFiles(object, scene);
      break;
    case 'Charge': {
      const story = chargeStories[info.type.replace(/^order\.charge\./, '')] ?? { state: 'pending' };
      const amount = purchaseTotals(scene).totalAmount;
      // Refunds are partial now and then, as in Digital River's sample; captures and cancels take the whole amount.
      const refundAmount = scene.random.chance(0.3) ? scene.round(amount / 2) : amount;
      settleCharge(object, { ...story, state: info.state ?? story.state }, amount, { created: timeOf(object.createdTime, scene.origin.getTime()) }, scene, refundAmount);
      if ('type' in object) object.type = 'customer_initiated';
      break;
    }
    case 'Refund':
      settleRefund(object, info, scene);
      break;
    case 'Fulfillment':
      settleFulfillment(object, scene);
      break;
    case 'Source':
      settleSource(object, info, scene);
      break;
    case 'Subscription':
      settleSubscriptionEvent(object, info, scene);
      break;
    case 'Invoice':
      settleInvoice(object, info.state ?? invoiceStates[info.type] ?? 'open', info.type === 'invoice.payment_failed', timeOf(object.createdTime, scene.origin.getTime()), scene);
      break;
    case 'Customer':
      settleCustomer(object, scene);
      break;
    case 'FulfillmentOrder':
      settleState(object, info, schema);
      settleFulfillmentOrder(object, scene);
      break;
    case 'SalesTransaction':
      settleSalesTransaction(object, scene);
      break;
    case 'OrderDocument':
      settleOrderDocument(object, info, scene);
      break;
    case 'Fee':
      if ('amount' in object) object.amount = scene.money(scene.random.pick([0.25, 0.5, 1, 2.5, 4]));
      break;
    case 'Checkout':
    case 'CheckoutSession':
      settleCheckout(object, scene);
      break;
    case 'Return':
      // Digital River's return ids: ret_ and a UUID (return.accepted's examples).
      object.id = scene.id('return');
      settleState(object, info, schema);
      break;
    case 'Plan':
      if ('name' in object && typeof object.interval === 'string') object.name = planNames[object.interval] ?? object.name;
      settleState(object, info, schema);
      break;
    default:
      settleState(object, info, schema);
  }
  settleTimes(object);
  if (info.resource === 'Subscription' && isRecord(object.subscription)) withOffsets(object.subscription, scene);
}

/**
 * The subscription that subscription.extended, .payment_failed and .reminder carry writes its times with
 * milliseconds and a `+0000` offset (2022-08-25T21:09:14.115+0000), as their examples show; its state transitions stay
 * in whole seconds, as in two of the three. Times that were equal stay equal, and none passes the event's time.
 */
function withOffsets(subscription: Json, scene: Scene): void {
  const millis = new Map<string, number>();
  for (const key of Object.keys(subscription)) {
    const value = subscription[key];
    if (typeof value !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(value)) continue;
    let ms = millis.get(value);
    // Never past the event: a time in the event's second gets no more milliseconds than the event has.
    if (ms === undefined) millis.set(value, (ms = scene.random.int(0, Math.min(999, Math.max(0, scene.now.getTime() - Date.parse(value))))));
    subscription[key] = `${value.slice(0, -1)}.${String(ms).padStart(3, '0')}+0000`;
  }
}

const currencySymbols: Record<string, { symbol: string; before: boolean }> = {
  USD: { symbol: '$', before: true }, CAD: { symbol: '$', before: true }, GBP: { symbol: '£', before: true },
  JPY: { symbol: '¥', before: true }, EUR: { symbol: '€', before: false },
};

/** An order's invoice files, and what Prebuilt Checkout adds: the consents given and how prices were shown. */
function settleOrderFiles(order: Json, scene: Scene): void {
  if (Array.isArray(order.invoicePDFs)) {
    const id = scene.random.uuid();
    order.invoicePDFs = [{ id, url: `https://api.digitalriver.com/files/${id}/content`, liveMode: scene.mode === 'live' }];
  }
  if ('consents' in order) order.consents = { termsOfService: true, eula: true, termsOfSale: true };
  if ('taxInclusive' in order) order.taxInclusive = false;
  if ('pricingFormat' in order) {
    const { currency, decimals } = scene.market;
    const { symbol, before } = currencySymbols[currency] ?? { symbol: currency, before: true };
    order.pricingFormat = {
      currencyNumberFormat: decimals > 0 ? '#,###.##' : '#,###',
      symbol,
      decimalPlaces: decimals,
      currencySymbolBeforePrice: before,
      useCurrencySymbolSpace: !before,
    };
  }
}

/** Line counts that follow the fulfillment order's state, and line money that adds up. */
function settleFulfillmentOrder(order: Json, scene: Scene): void {
  const totals = purchaseTotals(scene, records(order.items).length);
  const bucket: Record<string, string> = { pending: 'pending', backordered: 'backordered', cancelled: 'cancelled', shipped: 'shipped' };
  records(order.items).forEach((item, index) => {
    const line = scene.line(index);
    const money = totals.lines[index];
    const state = typeof item.state === 'string' ? item.state : typeof order.state === 'string' ? order.state : 'pending';
    for (const count of ['pending', 'backordered', 'cancelled', 'shipped', 'returned']) {
      if (count in item || count === bucket[state]) item[count] = count === bucket[state] ? line.quantity : 0;
    }
    if (!money) return;
    if ('subtotal' in item) item.subtotal = money.amount;
    if (isRecord(item.tax)) item.tax = { amount: money.tax, items: [{ authorityType: 'state', amount: money.tax }] };
    if ('total' in item) item.total = scene.round(money.amount + money.tax);
  });
}

/** A sale and what of it is paid out: the tax and Digital River's share deducted. */
function settleSalesTransaction(sale: Json, scene: Scene): void {
  const line = scene.line(0);
  const money = purchaseTotals(scene, 1).lines[0];
  if (!money) return;
  const gross = scene.round(money.amount + money.tax);
  sale.amount = gross;
  if ('quantity' in sale) sale.quantity = line.quantity;
  if ('payoutAmounts' in sale) {
    const share = scene.round(money.amount * 0.08);
    sale.payoutAmounts = {
      currency: scene.market.currency,
      amount: gross,
      productPrice: money.amount,
      tax: money.tax,
      digitalRiverShare: share,
      payoutAmount: scene.round(money.amount - share),
    };
  }
}

/** A customer's saved cards, the first of them the default. */
function settleCustomer(customer: Json, scene: Scene): void {
  const sources = records(customer.sources);
  for (const source of sources) {
    usePaymentMethod(source, 'creditCard', scene);
    if ('reusable' in source) source.reusable = true;
  }
  if (sources[0] && 'defaultSourceId' in customer) customer.defaultSourceId = sources[0].id;
}

/** A checkout has not been paid yet: a source and a session, no charge. */
function settleCheckout(checkout: Json, scene: Scene): void {
  if (isPricedDocument(checkout)) balanceDocument(checkout, scene);
  if (!isRecord(checkout.payment)) return;
  delete checkout.payment.charges;
  for (const source of records(checkout.payment.sources)) usePaymentMethod(source, 'creditCard', scene);
  if (isRecord(checkout.payment.session)) checkout.payment.session.state = 'requires_confirmation';
}

function settleFulfillment(fulfillment: Json, scene: Scene): void {
  let after = scene.origin.getTime();
  if (isRecord(fulfillment.orderDetails)) {
    // The order was accepted a while before its goods shipped.
    const accepted = Math.max(after + 3 * second, scene.now.getTime() - scene.random.int(1, 5) * minute);
    settleOrder(fulfillment.orderDetails, { state: 'accepted' }, scene, Math.min(accepted, scene.now.getTime()));
    after = timeOf(fulfillment.orderDetails.updatedTime, after);
  }
  const [created = after] = instants(scene, after, 1);
  if ('createdTime' in fulfillment) fulfillment.createdTime = iso(created);
  for (const item of records(fulfillment.items)) if ('cancelQuantity' in item) item.cancelQuantity = 0;
}

function settleSubscriptionEvent(object: Json, info: EventTypeInfo, scene: Scene): void {
  const state = info.state ?? subscriptionStates[info.type] ?? 'active';
  const invoiceState = subscriptionInvoiceStates[info.type];
  if (invoiceState === undefined || !isRecord(object.subscription)) {
    settleSubscription(object, state, scene);
    return;
  }
  settleSubscription(object.subscription, state, scene, info.type === 'subscription.extended');
  if (isRecord(object.invoice)) {
    const [created = scene.now.getTime()] = instants(scene, scene.now.getTime() - 30 * minute, 1, scene.now.getTime() - 10 * minute);
    settleInvoice(object.invoice, invoiceState, info.type === 'subscription.payment_failed', created, scene);
  }
}
