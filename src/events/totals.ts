// Money that adds up the way Digital River's does: line totals, tax, shipping and document totals, and the payments that cover them.
import { isRecord } from '../base/is-record.js';
import type { Scene } from './realism.js';

type Json = Record<string, unknown>;

export interface LineMoney {
  /** The line total: unit price × quantity. */
  amount: number;
  tax: number;
  shipping: number;
  shippingTax: number;
}

export interface Totals {
  lines: LineMoney[];
  subtotal: number;
  totalTax: number;
  totalShipping: number;
  totalFees: number;
  totalDuty: number;
  totalImporterTax: number;
  totalDiscount: number;
  totalAmount: number;
}

/**
 * The figures of a purchase of the scene's first `lineCount` lines. As in Digital River's payloads: the subtotal
 * includes shipping, the total tax includes the tax on shipping, and
 * totalAmount = subtotal + totalTax + totalFees + totalDuty + totalImporterTax − totalDiscount.
 */
export function purchaseTotals(scene: Scene, lineCount = scene.lineCount): Totals {
  const { round, taxRate } = scene;
  const physical = Array.from({ length: lineCount }, (_, i) => scene.line(i).product.physical).some(Boolean);
  const shipping = physical ? scene.shippingCost : 0;
  const lines = Array.from({ length: lineCount }, (_, i): LineMoney => {
    const line = scene.line(i);
    const amount = round(line.unitPrice * line.quantity);
    const lineShipping = i === 0 ? shipping : 0;
    return { amount, tax: round(amount * taxRate), shipping: lineShipping, shippingTax: round(lineShipping * taxRate) };
  });
  const sum = (pick: (line: LineMoney) => number) => round(lines.reduce((total, line) => total + pick(line), 0));
  const subtotal = round(sum((l) => l.amount) + shipping);
  const totalTax = sum((l) => l.tax + l.shippingTax);
  const totals = { subtotal, totalTax, totalShipping: shipping, totalFees: 0, totalDuty: 0, totalImporterTax: 0, totalDiscount: 0 };
  const totalAmount = round(subtotal + totalTax + totals.totalFees + totals.totalDuty + totals.totalImporterTax - totals.totalDiscount);
  return { lines, ...totals, totalAmount };
}

/** True for an object that prices a purchase: line items and totals (orders, order details, invoices, checkouts). */
export function isPricedDocument(value: unknown): value is Json & { items: unknown[] } {
  return isRecord(value) && Array.isArray(value.items) && ('totalAmount' in value || 'subtotal' in value);
}

/** Sets every line, total and payment amount of a priced document from the scene; returns the totals it used. */
export function balanceDocument(document: Json & { items: unknown[] }, scene: Scene): Totals {
  const totals = purchaseTotals(scene, document.items.length);
  if (totals.lines.length > 0 && !document.items.some((_, i) => scene.line(i).product.physical)) {
    // Nothing to ship: Digital River sends neither a shipping choice nor a ship-from address.
    delete document.shippingChoice;
    delete document.shipFrom;
  }
  document.items.forEach((item, index) => {
    const money = totals.lines[index];
    if (!isRecord(item) || !money) return;
    setIfPresent(item, 'amount', money.amount);
    if (isRecord(item.tax)) Object.assign(item.tax, { rate: scene.taxRate, amount: money.tax });
    if (isRecord(item.shipping)) Object.assign(item.shipping, { amount: money.shipping, taxAmount: money.shippingTax });
    if (isRecord(item.fees)) Object.assign(item.fees, { amount: 0, taxAmount: 0 });
    if (isRecord(item.importerTax)) item.importerTax.amount = 0;
    if (isRecord(item.duties)) item.duties.amount = 0;
  });
  for (const key of ['subtotal', 'totalTax', 'totalShipping', 'totalFees', 'totalDuty', 'totalImporterTax', 'totalDiscount', 'totalAmount'] as const) {
    setIfPresent(document, key, totals[key]);
  }
  if (isRecord(document.shippingChoice)) {
    setIfPresent(document.shippingChoice, 'amount', totals.totalShipping);
    setIfPresent(document.shippingChoice, 'taxAmount', totals.lines[0]?.shippingTax ?? 0);
  }
  if (isRecord(document.payment)) coverPayment(document.payment, totals.totalAmount, scene);
  return totals;
}

/** The payment of a document: its charge, source and session all for the total amount. */
function coverPayment(payment: Json, amount: number, scene: Scene): void {
  for (const list of [payment.charges, payment.sources]) {
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      if (!isRecord(entry)) continue;
      entry.amount = amount;
      setIfPresent(entry, 'currency', scene.market.currency);
    }
  }
  if (isRecord(payment.session)) {
    setIfPresent(payment.session, 'amountContributed', amount);
    setIfPresent(payment.session, 'amountRemainingToBeContributed', 0);
  }
}

function setIfPresent(object: Json, key: string, value: unknown): void {
  if (key in object) object[key] = value;
}
