// Turns a type's data.object schema into the schema drhook generates from: Digital River's usual fields always present, exotic ones left out, list lengths set, placeholders where dressing decides.
import { isRecord } from '../base/is-record.js';
type Schema = Record<string, unknown>;

/**
 * Fields Digital River sends in practice (see the sample events), made required for generation wherever the schema
 * has them. `name` applies in every object; `parent/name` only in objects under the property `parent` (array
 * items under the array's name; the root under its resource name, e.g. `Charge/type`), `grandparent/parent/name`
 * likewise.
 */
const usual = new Set([
  'id', 'createdTime', 'updatedTime', 'currency', 'email', 'name', 'locale', 'liveMode', 'state', 'stateTransitions',
  'customerId', 'orderId', 'checkoutId', 'sourceId', 'planId', 'skuId', 'itemId', 'upstreamId', 'paymentSessionId',
  'items', 'quantity', 'amount', 'productDetails', 'price',
  'shipTo', 'shipFrom', 'billTo', 'address', 'line1', 'city', 'postalCode', 'country', 'firstName', 'lastName', 'owner',
  'subtotal', 'totalAmount', 'totalTax', 'totalFees', 'totalDuty', 'totalImporterTax', 'totalDiscount', 'totalShipping',
  'shippingChoice', 'customerType', 'sellingEntity', 'payment', 'charges', 'sources', 'session',
  'fraudState', 'fraudStateTransitions', 'requestToBeForgotten', 'capturedAmount', 'cancelledAmount', 'availableToRefundAmount',
  'tax', 'rate', 'importerTax', 'duties', 'fees', 'taxAmount', 'serviceLevel',
  'productDetails/description', 'productDetails/countryOfOrigin', 'productDetails/partNumber', 'productDetails/image',
  'shippingChoice/description', 'sellingEntity/name', 'productDetails/url', 'productDetails/skuGroupId',
  'productDetails/weight', 'productDetails/weightUnit', 'items/metadata', 'items/shipping', 'items/shipFrom',
  'charges/type', 'Charge/type', 'captured', 'refunded', 'creditCard', 'brand', 'expirationMonth', 'expirationYear', 'lastFourDigits',
  'amountContributed', 'amountRemainingToBeContributed', 'clientSecret', 'Source/flow', 'Source/reusable',
  'billingAgreementId', 'contractBindingUntil', 'taxInclusive', 'currentPeriodEndDate', 'nextInvoiceDate', 'nextReminderDate',
  'subscriptionInfo/subscriptionId', 'subscriptionInfo/planId', 'subscriptionInfo/autoRenewal', 'subscriptionInfo/freeTrial',
  'subscriptionInfo/billingAgreementId', 'collectionPeriodDays', 'attemptCount', 'chargeType',
  'Invoice/description', 'invoice/description', 'Refund/refundedAmount', 'Refund/reason', 'Order/refundedAmount',
  'cancelQuantity', 'trackingCompany', 'trackingNumber', 'trackingUrl', 'orderDetails',
  'Customer/enabled', 'Customer/shipping', 'Customer/type', 'Customer/defaultSourceId',
  'Sku/description', 'Sku/eccn', 'Sku/taxCode', 'Sku/countryOfOrigin', 'Sku/partNumber', 'Sku/weight', 'Sku/weightUnit', 'Sku/physical', 'Sku/image',
  'Plan/name', 'Plan/reminderOffsetDays', 'TaxIdentifier/customerId', 'TaxIdentifier/createdTime', 'TaxIdentifier/applicability',
  'FileLink/url', 'FileLink/expiresTime', 'FileLink/createdTime', 'Location/name', 'Location/phone', 'Payout/payoutTime',
  'Payout/payeeName', 'Payout/payerName', 'SalesTransaction/orderId', 'SalesTransaction/skuId', 'SalesTransaction/saleTime',
  'SalesTransaction/quantity', 'SalesTransaction/payoutAmounts', 'SalesTransaction/paymentType', 'fulfillmentOrderId',
  'Fee/category', 'Fee/country', 'Return/items', 'Return/reason', 'Return/currency', 'fulfillmentOrderItemId',
  'quantityAccepted', 'FulfillmentOrder/items/subtotal', 'FulfillmentOrder/items/total', 'FulfillmentOrder/items/name',
]);

/** Fields that would only add noise (empty wrappers, rare features, every payment method at once): left out unless required. */
const rare = new Set([
  'additionalAddressInfo', 'billingOptimization', 'creditMemoPDFs', 'invoicePDFs', 'disclosures', 'discount', 'invoiceAttributes',
  'organization', 'taxIdentifiers', 'taxCertificates', 'purchaseLocation', 'applicationId', 'siteId', 'sellerTaxIdentifier',
  'captures', 'cancels', 'failureCode', 'failureMessage', 'failureReason', 'tokenInformation', 'expiresTime', 'cancelReason',
  'refundIds', 'unitAttributes', 'unitAttributesAccepted', 'options', 'style', 'redirects', 'details', 'shippingDiscount',
  'afterPay', 'alipay', 'amazonPay', 'applePay', 'bancontact', 'bankTransfer', 'bPay', 'ccAvenue', 'codJapan', 'directDebit',
  'giftCard', 'googlePay', 'ideal', 'klarnaCredit', 'klarnaCreditRecurring', 'konbini', 'msts', 'onlineBanking', 'payCo',
  'payPal', 'payPalBilling', 'payPalCredit', 'wireTransfer', 'livemode', 'Refund/type', 'Refund/invoiceId', 'FileLink/expired',
  'endTime', 'startTime', 'terms', 'metadata', 'weee', 'battery', 'subdivisions',
  // Payment details inside an order or invoice carry less than the resources themselves.
  'sources/createdTime', 'sources/currency', 'sources/customerId', 'sources/clientSecret', 'sources/paymentSessionId',
  'sources/state', 'sources/liveMode', 'sources/flow', 'sources/reusable', 'sources/metadata', 'owner/upstreamId',
  'charges/liveMode', 'charges/orderId', 'charges/paymentSessionId', 'items/upstreamId',
  'Customer/sources/amount', 'Subscription/items/productDetails', 'subscription/items/productDetails',
  'Subscription/items/aggregatePrice', 'subscription/items/aggregatePrice', 'Subscription/items/metadata',
  'subscription/items/metadata',
]);

/** List lengths [min, max] by property (or parent/property); line-item lists are sized by the caller. */
const listLengths: Record<string, [number, number]> = {
  'payment/charges': [1, 1],
  'payment/sources': [1, 1],
  'Refund/charges': [1, 1],
  'Customer/sources': [1, 2],
  'applicability': [1, 1],
  'trackingUrls': [1, 1],
};

/**
 * Marks the schema of a list of line items (order, invoice, fulfillment, refund… items). json-schema-faker generates
 * at most `templateLines` of them; the rest are copies of those, made distinct when they are dressed (see field-values).
 */
export const lineItemsKeyword = 'x-drhook-line-items';
export const templateLines = 3;

/**
 * Marks a field that is always there and whose generated value dressing replaces whatever it is: json-schema-faker
 * leaves it out (every field it generates costs as much as the next), and `complete` puts the keyword's value there.
 */
export const placeholderKeyword = 'x-drhook-placeholder';

/**
 * The placeholder of the field at `path` (its resource, the properties down to it; array items under the array's
 * name) holding `schema`, when dressing replaces any value generated there: a JSON primitive of the type
 * json-schema-faker would generate, or `{}` for an object replaced whole. Undefined when dressing may keep the
 * generated value, which json-schema-faker must then generate.
 */
export type Placeholder = (path: readonly string[], schema: Schema) => unknown;

export interface GenerationSchema {
  /** The whole data.object: what dressing and the lifecycle read (fields, enums, line items, placeholders). */
  schema: Schema;
  /** What json-schema-faker generates from: `schema` without its placeholder fields. */
  faker: Schema;
}

/** The generation schema of a bundle whose root describes `resource`, for a purchase of `lineCount` lines. */
export function generationSchema(bundle: Schema, resource: string, lineCount: number, placeholder: Placeholder): GenerationSchema {
  const schema = shape(bundle, [resource], Math.min(lineCount, templateLines), placeholder);
  return { schema, faker: withoutPlaceholders(schema) };
}

/**
 * json-schema-faker's output for `schema` made whole: the placeholder fields put back, every object's fields in the
 * order of its schema (the order json-schema-faker writes them in).
 */
export function complete(value: unknown, schema: Schema): unknown {
  if (Array.isArray(value)) {
    const items = isRecord(schema.items) ? schema.items : {};
    for (let index = 0; index < value.length; index++) {
      const element: unknown = value[index];
      if (typeof element === 'object' && element !== null) value[index] = complete(element, items);
    }
    return value;
  }
  if (!isRecord(value) || !isRecord(schema.properties)) return value;
  const { fields, placeholders } = completionOf(schema);
  const whole: Schema = {};
  let unknown: string[] | undefined;
  let next = 0;
  for (const key in value) {
    const field = fields.get(key);
    if (field === undefined) {
      (unknown ??= []).push(key);
      continue;
    }
    for (; next < placeholders.length && placeholders[next]!.at < field.at; next++) fill(whole, placeholders[next]!);
    const item = value[key];
    whole[key] = field.schema && typeof item === 'object' && item !== null ? complete(item, field.schema) : item;
  }
  for (; next < placeholders.length; next++) fill(whole, placeholders[next]!);
  for (const key of unknown ?? []) whole[key] = value[key];
  return whole;
}

/** A field of an object schema: its position among the properties, and its schema. */
interface Field {
  at: number;
  key: string;
  schema?: Schema;
}

/** How `complete` rebuilds the objects of one schema: its generated fields by name, its placeholder fields in order. */
interface Completion {
  fields: ReadonlyMap<string, Field>;
  placeholders: readonly Field[];
}

const completions = new WeakMap<Schema, Completion>();

function completionOf(schema: Schema): Completion {
  let completion = completions.get(schema);
  if (!completion) {
    const fields = new Map<string, Field>();
    const placeholders: Field[] = [];
    Object.entries(schema.properties as Schema).forEach(([key, sub], at) => {
      const field: Field = isRecord(sub) ? { at, key, schema: sub } : { at, key };
      if (isRecord(sub) && Object.hasOwn(sub, placeholderKeyword)) placeholders.push(field);
      else fields.set(key, field);
    });
    completion = { fields, placeholders };
    completions.set(schema, completion);
  }
  return completion;
}

/** Puts a placeholder field in place: a fresh object for an object (its own placeholders filled in). */
function fill(whole: Schema, { key, schema }: Field): void {
  const placeholder = schema?.[placeholderKeyword];
  whole[key] = isRecord(placeholder) ? complete({}, schema!) : placeholder;
}

function shape(schema: Schema, trail: readonly string[], lines: number, placeholder: Placeholder): Schema {
  const out: Schema = { ...schema };
  if (isRecord(schema.properties)) {
    const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
    const properties: Schema = {};
    // json-schema-faker writes properties in schema order; Digital River writes `id` first.
    const entries = Object.entries(schema.properties).sort(([a], [b]) => Number(b === 'id') - Number(a === 'id'));
    for (const [name, sub] of entries) {
      const wanted = wantedness([...trail, name]);
      if (wanted === 'rare' && !required.has(name)) continue;
      if (wanted === 'usual') required.add(name);
      if (!isRecord(sub)) {
        properties[name] = sub;
        continue;
      }
      const path = [...trail, name];
      const shaped = shapeProperty(sub, path, lines, placeholder);
      const value = !required.has(name) ? undefined : isDetermined(shaped) ? {} : placeholder(path, shaped);
      properties[name] = value === undefined ? shaped : { ...shaped, [placeholderKeyword]: value };
    }
    out.properties = properties;
    out.required = [...required].filter((name) => name in properties);
  }
  return out;
}

/** An object whose fields are all always there and all placeholders: nothing in it is left to chance. */
function isDetermined(schema: Schema): boolean {
  const { properties, required } = schema;
  if (!isRecord(properties) || !Array.isArray(required) || 'minProperties' in schema) return false;
  const names = Object.keys(properties);
  return names.length > 0 && names.length === required.length && names.every((name) => {
    const sub = properties[name];
    return isRecord(sub) && Object.hasOwn(sub, placeholderKeyword);
  });
}

/** The most specific entry decides: `grandparent/parent/name`, then `parent/name`, then `name`. */
function wantedness(path: readonly string[]): 'usual' | 'rare' | 'maybe' {
  for (let depth = Math.min(3, path.length); depth >= 1; depth--) {
    const key = path.slice(-depth).join('/');
    if (usual.has(key)) return 'usual';
    if (rare.has(key)) return 'rare';
  }
  return 'maybe';
}

function shapeProperty(schema: Schema, path: readonly string[], lines: number, placeholder: Placeholder): Schema {
  if (!isRecord(schema.items)) return shape(schema, path, lines, placeholder);
  const name = path[path.length - 1] ?? '';
  const parent = path[path.length - 2] ?? '';
  const out: Schema = { ...schema, items: shape(schema.items, path, lines, placeholder) };
  if (name === 'items' && parent !== 'tax') return { ...out, minItems: lines, maxItems: lines, [lineItemsKeyword]: true };
  const [min, max] = listLengths[`${parent}/${name}`] ?? listLengths[name] ?? [undefined, undefined];
  if (min !== undefined) out.minItems = min;
  if (max !== undefined) out.maxItems = max;
  return out;
}

/** The schema without its placeholder fields, at every depth. */
function withoutPlaceholders(schema: Schema): Schema {
  const out: Schema = { ...schema };
  if (isRecord(schema.items)) out.items = withoutPlaceholders(schema.items);
  if (isRecord(schema.properties)) {
    const properties: Schema = {};
    for (const [name, sub] of Object.entries(schema.properties)) {
      if (!isRecord(sub)) properties[name] = sub;
      else if (!Object.hasOwn(sub, placeholderKeyword)) properties[name] = withoutPlaceholders(sub);
    }
    out.properties = properties;
    if (Array.isArray(schema.required)) out.required = (schema.required as string[]).filter((name) => Object.hasOwn(properties, name));
  }
  return out;
}
