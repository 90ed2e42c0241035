// Turns a type's data.object schema into the schema drhook generates from: Digital River's usual fields always present, exotic ones left out, list lengths set.
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
  'Invoice/description', 'invoice/description', 'Refund/refundedAmount', 'Refund/reason',
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

function isRecord(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Marks the schema of a list of line items (order, invoice, fulfillment, refund… items). json-schema-faker generates
 * at most `templateLines` of them; the rest are copies of those, made distinct when they are dressed (see field-values).
 */
export const lineItemsKeyword = 'x-drhook-line-items';
export const templateLines = 3;

/** The generation schema of a bundle whose root describes `resource`, for a purchase of `lineCount` lines. */
export function generationSchema(bundle: Schema, resource: string, lineCount: number): Schema {
  return shape(bundle, [resource], Math.min(lineCount, templateLines));
}

function shape(schema: Schema, trail: readonly string[], lines: number): Schema {
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
      properties[name] = isRecord(sub) ? shapeProperty(sub, [...trail, name], lines) : sub;
    }
    out.properties = properties;
    out.required = [...required].filter((name) => name in properties);
  }
  return out;
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

function shapeProperty(schema: Schema, path: readonly string[], lines: number): Schema {
  if (!isRecord(schema.items)) return shape(schema, path, lines);
  const name = path[path.length - 1] ?? '';
  const parent = path[path.length - 2] ?? '';
  const out: Schema = { ...schema, items: shape(schema.items, path, lines) };
  if (name === 'items' && parent !== 'tax') return { ...out, minItems: lines, maxItems: lines, [lineItemsKeyword]: true };
  const [min, max] = listLengths[`${parent}/${name}`] ?? listLengths[name] ?? [undefined, undefined];
  if (min !== undefined) out.minItems = min;
  if (max !== undefined) out.maxItems = max;
  return out;
}
