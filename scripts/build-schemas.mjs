// Builds schemas/ from Digital River's field facts (reference/) plus drhook's decisions below: `node scripts/build-schemas.mjs [--check] [referenceDir]`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const check = args.includes('--check');
const referenceDir = args.find((a) => a !== '--check') ?? path.join(repoRoot, 'reference');
const schemasDir = path.join(repoRoot, 'schemas');
const readJson = (file) => JSON.parse(fs.readFileSync(path.join(referenceDir, file), 'utf8'));
const { models } = readJson('digital-river-objects.json');
const eventTypes = readJson('digital-river-event-types.json');
const sampleDir = path.join(referenceDir, 'sample-events');
const samples = fs.readdirSync(sampleDir).filter((f) => f.endsWith('.json') && f !== 'sources.json').sort()
  .map((f) => JSON.parse(fs.readFileSync(path.join(sampleDir, f), 'utf8')));

const BASE = 'https://drhook.dev/schemas/';
const DRAFT = 'https://json-schema.org/draft/2020-12/schema';

// ---------------------------------------------------------------------------------------------------------------
// Decisions. `required` lists only what Digital River always sends, and `evidence` says how that is known (it goes
// into the schema as its $comment): for a resource the docs show in complete example events (reference/sample-events/),
// fields every one of those examples carries (test/reference-examples.test.ts checks it); for the others, `id` and
// `liveMode`, which every API resource carries, and what Digital River's OpenAPI description marks required.
// Everything else is optional. `nested` is what is required where the resource appears inside another one (those
// copies lack liveMode, orderId and the like).
// ---------------------------------------------------------------------------------------------------------------
const inExamples = 'fields every complete example event of the docs carries (reference/sample-events/)';
const everyResource = "id and liveMode, which every Digital River API resource carries (developer-resources/api-structure.md: \"In API responses, the liveMode boolean attribute indicates whether you are in the test or production environment\")";
const openApi = "what Digital River's OpenAPI description (.gitbook/assets/2021-12-13.json of the docs) marks required";
const resources = {
  Order: {
    file: 'order', model: 'Order',
    required: ['id', 'createdTime', 'currency', 'items', 'state', 'totalAmount', 'liveMode'],
    nested: ['id', 'currency', 'items'],
    evidence: inExamples,
    description: 'A Digital River order.',
  },
  Charge: {
    file: 'charge', model: 'Charge',
    required: ['id', 'createdTime', 'currency', 'amount', 'state', 'orderId', 'liveMode'],
    nested: ['id', 'createdTime', 'currency', 'amount', 'state'],
    evidence: inExamples,
    description: "A charge against one of an order's payment sources (the order.charge.* events).",
  },
  Refund: {
    file: 'refund', model: 'OrderRefund',
    required: ['id', 'createdTime', 'currency', 'orderId', 'state', 'liveMode'],
    nested: ['id'],
    evidence: `${inExamples}; a refund of items carries items[] and no amount (refund.pending.2.json, refund.complete.3.json)`,
    description: 'A refund of all or part of an order.',
  },
  Fulfillment: {
    file: 'fulfillment', model: 'Fulfillment',
    required: ['id', 'createdTime', 'orderId', 'items', 'liveMode'],
    nested: ['id'],
    evidence: inExamples,
    description: "A fulfillment (or cancellation) of an order's items; fulfillment.created also carries orderDetails.",
  },
  Subscription: {
    file: 'subscription', model: 'Subscription',
    required: ['id', 'createdTime', 'currency', 'planId', 'state', 'items', 'liveMode'],
    nested: ['id', 'currency', 'planId', 'state', 'items'],
    evidence: inExamples,
    description: 'A subscription to a plan.',
  },
  Invoice: {
    file: 'invoice', model: 'Invoice',
    required: ['id', 'liveMode'],
    nested: ['id', 'createdTime', 'currency', 'state', 'items', 'totalAmount'],
    evidence: everyResource,
    description: 'An invoice (subscription billing).',
  },
  Checkout: {
    file: 'checkout', model: 'Checkout',
    required: ['id', 'liveMode'],
    nested: ['id'],
    evidence: everyResource,
    description: 'A checkout (the precursor of an order).',
  },
  DropInCheckout: {
    file: 'drop-in-checkout', model: 'DropInCheckoutSession',
    required: [],
    nested: [],
    evidence: 'no complete example and no required field in the API description',
    description: 'A Prebuilt (drop-in) Checkout.',
    extra: { id: { type: 'string' }, createdTime: { type: 'string', format: 'date-time' }, liveMode: { type: 'boolean' } },
  },
  Customer: {
    file: 'customer', model: 'Customer',
    required: ['id', 'liveMode'],
    nested: ['id'],
    evidence: everyResource,
    description: 'A customer.',
  },
  Source: {
    file: 'source', model: 'Source',
    required: ['id', 'liveMode'],
    nested: ['id', 'type'],
    evidence: everyResource,
    description: 'A payment source (credit card, wire transfer, PayPal, ...).',
  },
  Sku: {
    file: 'sku', model: 'Sku',
    required: ['id', 'liveMode'],
    nested: ['id'],
    evidence: everyResource,
    description: 'A SKU (a product as Digital River knows it).',
  },
  Return: {
    file: 'return', model: 'ReturnsResponse',
    required: ['id', 'createdTime', 'orderId', 'state', 'liveMode'],
    nested: ['id'],
    evidence: inExamples,
    description: 'A return of order items.',
  },
  Shipment: {
    file: 'shipment', model: 'Shipment',
    required: ['id', 'liveMode'],
    nested: ['id'],
    evidence: everyResource,
    description: 'A shipment of a Global Fulfillment order.',
  },
  Plan: {
    file: 'plan', model: 'Plan',
    required: ['id', 'liveMode', ...models.Plan.required],
    nested: ['id'],
    evidence: `${everyResource}; the rest: ${openApi}`,
    description: 'A subscription plan.',
  },
  Fee: {
    file: 'fee', model: 'Fee',
    required: ['id', 'liveMode'],
    nested: ['id'],
    evidence: everyResource,
    description: 'A regulatory fee (battery, WEEE, copyright, ...) on a SKU.',
  },
  Payout: {
    file: 'payout', model: 'Payout',
    required: ['id', 'liveMode'],
    nested: ['id'],
    evidence: everyResource,
    description: 'A payout to the merchant.',
  },
  SalesTransaction: {
    file: 'sales-transaction', model: 'SalesTransaction',
    required: ['id', 'liveMode'],
    nested: ['id'],
    evidence: everyResource,
    description: 'A sales transaction (sale, refund, chargeback, ...) as it appears in payouts.',
  },
  TaxIdentifier: {
    file: 'tax-identifier', model: 'CustomerTaxIdentifier', also: ['TaxIdentifier', 'TaxIdentifier_1'],
    required: ['id'],
    nested: ['id'],
    evidence: 'id, which every Digital River API resource carries',
    description: "A customer's tax identifier (VAT number, GST number, ...).",
  },
  FileLink: {
    file: 'file-link', model: 'FileLink',
    required: ['id', 'liveMode'],
    nested: ['id'],
    evidence: everyResource,
    description: 'A link to a file (invoice or credit memo PDF, tax certificate, ...).',
  },
  Location: {
    file: 'location', model: 'Location',
    required: ['address'],
    nested: ['address'],
    evidence: openApi,
    description: 'A Global Fulfillment location (a warehouse or return address).',
  },
  FulfillmentOrder: {
    file: 'fulfillment-order', model: 'GlobalFulfillmentOrder',
    required: ['id'],
    nested: ['id'],
    evidence: 'id, which every Digital River API resource carries',
    description: 'A Global Fulfillment order.',
  },
  FulfillmentCancellation: {
    file: 'fulfillment-cancellation', model: 'GlobalFulfillmentCancellationResponse',
    required: ['id'],
    nested: ['id'],
    evidence: 'id, which every Digital River API resource carries',
    description: 'A cancellation of Global Fulfillment order items.',
  },
  FulfillmentReturn: {
    file: 'fulfillment-return', model: 'GlobalFulfillmentReturnResponse',
    required: ['id'],
    nested: ['id'],
    evidence: 'id, which every Digital River API resource carries',
    description: 'A return of Global Fulfillment order items.',
  },
  OrderDocument: {
    file: 'order-document', model: null,
    required: ['id', 'fileId', 'orderId', 'customerId', 'purpose', 'invoiceURL'],
    nested: ['id'],
    evidence: inExamples,
    description: "An order's invoice or credit memo file (order.invoice.created, order.credit_memo.created).",
    extra: {
      id: { type: 'string' },
      fileId: { type: 'string' },
      orderId: { type: 'string' },
      customerId: { type: 'string' },
      purpose: { type: 'string', examples: ['customer_invoice', 'customer_credit_memo'] },
      invoiceURL: { type: 'string', format: 'uri' },
    },
  },
  InvoiceAttribute: {
    file: 'invoice-attribute', model: 'InvoiceAttributes',
    required: ['id'],
    nested: ['id'],
    evidence: 'id, which every Digital River API resource carries',
    description: "A customer's invoice attributes (China and Taiwan e-invoices).",
  },
};

/** Models the facts reference under another name. */
const aliases = { CustomerType1: 'CustomerType', ShipFrom1: 'ShipFrom_1', BPay: 'bPay' };
/** Models renamed in common.schema.json so they cannot be mistaken for a resource. */
const renames = { Refund: 'ChargeRefund', Charges: 'RefundCharge', RefundCharges: 'RefundChargeRefund' };

const dateTime = { type: 'string', format: 'date-time' };

/** Definitions the facts reference but do not define, and a few the samples show are needed. */
const extraDefs = {
  CustomerType: { type: 'string', enum: ['individual', 'business'] },
  ChargeType: { type: 'string', enum: ['customer_initiated', 'merchant_initiated', 'moto'] },
  // checkout_session.order.created's example: the consents given and how prices were shown in Prebuilt Checkout.
  CheckoutConsents: {
    type: 'object',
    properties: { termsOfService: { type: 'boolean' }, eula: { type: 'boolean' }, termsOfSale: { type: 'boolean' } },
  },
  PricingFormat: {
    type: 'object',
    properties: {
      currencyNumberFormat: { type: 'string' },
      symbol: { type: 'string' },
      decimalPlaces: { type: 'integer', minimum: 0 },
      currencySymbolBeforePrice: { type: 'boolean' },
      useCurrencySymbolSpace: { type: 'boolean' },
    },
  },
  InvoiceStateTransitions: {
    type: 'object',
    properties: { draft: dateTime, open: dateTime, paid: dateTime, void: dateTime, uncollectible: dateTime },
  },
};

/** Corrections of the facts, each for a reason given beside it. */
const patches = {
  // The facts spell these fields wrongly ("updatedTime:", "atttributes").
  Plan: { rename: { 'updatedTime:': 'updatedTime' } },
  InvoiceAttributes: { rename: { atttributes: 'attributes' } },
  // checkout_session.order.created carries the order with these (its example in the docs).
  Order: { add: { checkoutSessionId: { type: 'string' }, taxInclusive: { type: 'boolean' }, consents: { $ref: 'CheckoutConsents' }, pricingFormat: { $ref: 'PricingFormat' } } },
  // The samples carry these fields and the "lapsed" state (subscription.lapsed).
  Subscription: { add: { currentPeriodStartDate: dateTime, siteId: { type: 'string' } }, enumAdd: { state: ['lapsed'] } },
  SubscriptionStateTransitions: { add: { lapsed: dateTime } },
  // refund.pending_information shows a charge refund in the "pending_information" state.
  RefundCharges: { enumAdd: { state: ['pending_information'] } },
  Refund: { enumAdd: { state: ['pending_information'] } },
  // The facts disagree on refund types (requests: shipping, tax, duty, importer_tax; items: shipping, fees, duty).
  OrderRefund: { enumAdd: { type: ['fees'] } },
  RefundItem: { enumAdd: { type: ['tax', 'importer_tax'] } },
  // The facts point an invoice's state transitions at the plan's; the samples show invoice states.
  Invoice: { set: { stateTransitions: { $ref: 'InvoiceStateTransitions' } } },
  // The expanded form of order and fulfillment events adds these; the normal form allows them.
  ProductDetails: { add: { physical: { type: 'boolean' }, metadata: { type: 'object' } } },
  // fulfillment.created carries the order it fulfils.
  Fulfillment: { add: { orderDetails: { $ref: 'OrderDetails' } } },
  // fulfillment_order.backordered implies a backordered fulfillment order.
  GlobalFulfillmentOrder: { enumAdd: { state: ['backordered'] } },
  GlobalFulfillmentCancellationResponse: { add: { liveMode: { type: 'boolean' } } },
  GlobalFulfillmentReturnResponse: { add: { liveMode: { type: 'boolean' } } },
  // Lists Digital River keeps growing (payment methods, disclosures, fee and transaction types, titles): a closed
  // list would reject real events, so the known values become examples.
  Source: { openEnum: ['type'] },
  DisclosureDetails: { openEnum: ['type'] },
  AdditionalBillingAddressInfo: { openEnum: ['title'] },
  SalesTransaction: { openEnum: ['type'] },
  Fee: { openEnum: ['type'] },
};

/** Required fields of sub-models beyond the facts (every sample has them), or fewer where the facts over-ask. */
const subModelRequired = {
  OrderItem: ['id', 'amount', 'quantity'],
  InvoiceItem: ['id', 'amount', 'quantity'],
  SubscriptionItems: ['quantity'],
  Capture: ['id', 'amount', 'state'],
  Cancel: ['id', 'amount', 'state'],
  Refund: ['amount', 'state'],
  RefundCharges: ['amount', 'state'],
  Charges: ['id'],
  FulfillmentResponseItem: ['itemId'],
  OrderDetails: ['id', 'currency', 'items'],
  // Not every country has states or postal codes.
  GlobalFulfillmentAddress: ['line1', 'city', 'country'],
  ReturnsAddress: ['line1', 'city', 'country'],
};

const currencyFields = new Set(['currency', 'cardCurrency']);
const countryFields = new Set(['country', 'countryOfOrigin', 'billToCountry', 'shipFromCountry', 'shipToCountry']);
const nonNegativeFields = new Set([
  'amount', 'totalAmount', 'subtotal', 'totalTax', 'totalShipping', 'totalFees', 'totalDuty', 'totalImporterTax',
  'taxAmount', 'price', 'aggregatePrice', 'refundedAmount', 'capturedAmount', 'cancelledAmount',
  'availableToRefundAmount', 'amountContributed', 'amountRemainingToBeContributed', 'perUnitAmount', 'rate',
  'quantity', 'cancelQuantity', 'quantityAccepted', 'attemptCount', 'collectionPeriodDays',
]);
/** Money that can be negative (refunds and chargebacks in payouts). */
const signedModels = new Set(['SalesTransaction', 'PayoutAmounts', 'Payout']);
const uriFields = { File: ['url'], FileLink: ['url'] };

// ---------------------------------------------------------------------------------------------------------------
// Conversion of the facts into JSON Schema files.
// ---------------------------------------------------------------------------------------------------------------
const resourceOfModel = new Map();
for (const [name, r] of Object.entries(resources)) for (const m of [r.model, ...(r.also ?? [])]) if (m) resourceOfModel.set(m, name);

const commonDefs = new Map();
const pending = [];

function fileOf(resourceName) {
  return `objects/${resources[resourceName].file}.schema.json`;
}

/** A $ref target from one schema file to another ('' within the same file). */
function relative(from, to) {
  return from === to ? '' : path.posix.relative(path.posix.dirname(from), to);
}

function commonRef(fromFile, defName) {
  return { $ref: `${relative(fromFile, 'common.schema.json')}#/$defs/${defName}` };
}

function refTo(modelName, fromFile) {
  const name = aliases[modelName] ?? modelName;
  const resource = resourceOfModel.get(name);
  if (resource) {
    const schema = { $ref: `${relative(fromFile, fileOf(resource))}#/$defs/${resource}` };
    const nested = resources[resource].nested;
    return nested.length ? { ...schema, required: nested } : schema;
  }
  if (!(name in extraDefs) && !(name in models)) throw new Error(`unknown model ${modelName}`);
  const defName = renames[name] ?? name;
  if (!commonDefs.has(defName)) {
    commonDefs.set(defName, null);
    pending.push([name, defName]);
  }
  return commonRef(fromFile, defName);
}

function convertProperty(schema, modelName, propName, fromFile) {
  if (schema.$ref) return refTo(schema.$ref, fromFile);
  const out = {};
  if (schema.type) out.type = schema.type;
  if (schema.type === 'array') out.items = convertProperty(schema.items ?? {}, modelName, propName, fromFile);
  if (schema.format) out.format = schema.format;
  if (schema.enum) out.enum = [...schema.enum];
  if (schema.maxLength !== undefined) out.maxLength = schema.maxLength;
  if (schema.type === 'string' && currencyFields.has(propName)) return commonRef(fromFile, 'currencyCode');
  if (schema.type === 'string' && countryFields.has(propName)) return commonRef(fromFile, 'countryCode');
  if ((schema.type === 'number' || schema.type === 'integer') && nonNegativeFields.has(propName) && !signedModels.has(modelName)) out.minimum = 0;
  if (uriFields[modelName]?.includes(propName)) out.format = 'uri';
  return out;
}

function convertModel(modelName, fromFile) {
  const model = models[modelName];
  const patch = patches[modelName] ?? {};
  const properties = {};
  for (const [rawName, raw] of Object.entries(model.properties)) {
    const name = patch.rename?.[rawName] ?? rawName;
    if (name in { ...patch.add, ...patch.set }) continue;
    properties[name] = convertProperty(raw, modelName, name, fromFile);
  }
  for (const [name, raw] of Object.entries({ ...patch.add, ...patch.set })) properties[name] = convertProperty(raw, modelName, name, fromFile);
  for (const [name, values] of Object.entries(patch.enumAdd ?? {})) properties[name].enum = [...properties[name].enum, ...values];
  for (const name of patch.openEnum ?? []) {
    properties[name].examples = properties[name].enum;
    delete properties[name].enum;
  }
  const sorted = Object.fromEntries(Object.entries(properties).sort(([a], [b]) => a.localeCompare(b)));
  const required = subModelRequired[modelName] ?? model.required;
  return { type: 'object', ...(required.length ? { required: [...required] } : {}), properties: sorted };
}

function header(file, title, description) {
  return { $schema: DRAFT, $id: BASE + file, title, description };
}

const files = new Map();

for (const [name, r] of Object.entries(resources)) {
  const file = fileOf(name);
  const fields = r.model ? convertModel(r.model, file) : { type: 'object', properties: {} };
  delete fields.required;
  for (const [prop, schema] of Object.entries(r.extra ?? {})) fields.properties[prop] = schema;
  fields.properties = Object.fromEntries(Object.entries(fields.properties).sort(([a], [b]) => a.localeCompare(b)));
  files.set(file, {
    ...header(file, name, `${r.description} Fields from Digital River's API objects; required are those Digital River always sends.`),
    $comment: `required: ${r.evidence}.`,
    $ref: `#/$defs/${name}`,
    ...(r.required.length ? { required: r.required } : {}),
    $defs: { [name]: fields },
  });
}

while (pending.length) {
  const [name, defName] = pending.shift();
  commonDefs.set(defName, name in extraDefs ? extraDefs[name] : convertModel(name, 'common.schema.json'));
}

const currencies = `AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
  CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD
  GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD
  LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN
  PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD
  TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XUA
  YER ZAR ZMW ZWG ZWL`.split(/\s+/);
const countries = `AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY
  BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA
  GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
  KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW
  MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD
  SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA
  VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW`.split(/\s+/);

files.set('common.schema.json', {
  ...header('common.schema.json', 'Shared parts of Digital River objects',
    'Code lists and the sub-models (addresses, items, taxes, payments, ...) that Digital River resources share.'),
  $defs: {
    currencyCode: {
      description: 'an ISO 4217 currency code in upper case (e.g. USD)',
      type: 'string',
      enum: currencies,
    },
    countryCode: {
      description: 'an ISO 3166-1 alpha-2 country code in upper case (e.g. US; XK for Kosovo is accepted too)',
      type: 'string',
      enum: countries,
    },
    ...Object.fromEntries([...commonDefs].sort(([a], [b]) => a.localeCompare(b))),
  },
});

// Variants: a resource's fields with nothing required (deleted and undocumented events), the expanded order and
// fulfillment, the {subscription, invoice} pair, and an open object for events nothing describes.
function partialFile(resourceName) {
  const file = `objects/${resources[resourceName].file}.partial.schema.json`;
  if (!files.has(file)) {
    files.set(file, {
      ...header(file, `${resourceName} (partial)`, `Any subset of a ${resourceName}'s fields, none required: for deleted events and events whose object the public record does not describe.`),
      $ref: `${resources[resourceName].file}.schema.json#/$defs/${resourceName}`,
    });
  }
  return file;
}

// Every item has its productDetails, and they carry physical and metadata.
const expandedItems = { items: { required: ['productDetails'], properties: { productDetails: { required: ['physical', 'metadata'] } } } };
files.set('objects/order.expanded.schema.json', {
  ...header('objects/order.expanded.schema.json', 'Order (expanded)',
    'The expanded form of an order event: every item has productDetails, carrying physical and metadata.'),
  $ref: 'order.schema.json',
  properties: { items: expandedItems },
});
files.set('objects/fulfillment.expanded.schema.json', {
  ...header('objects/fulfillment.expanded.schema.json', 'Fulfillment (expanded)',
    "The expanded form of fulfillment.created: every orderDetails.items[] has productDetails, carrying physical and metadata."),
  $ref: 'fulfillment.schema.json',
  properties: { orderDetails: { properties: { items: expandedItems } } },
});
files.set('objects/subscription-invoice.schema.json', {
  ...header('objects/subscription-invoice.schema.json', 'Subscription and invoice',
    'The data.object of subscription.extended, subscription.payment_failed and subscription.reminder: the subscription and its invoice.'),
  $comment: `required: ${inExamples}`,
  type: 'object',
  required: ['subscription', 'invoice'],
  properties: {
    subscription: refTo('Subscription', 'objects/subscription-invoice.schema.json'),
    invoice: refTo('Invoice', 'objects/subscription-invoice.schema.json'),
  },
});
files.set('objects/undocumented.schema.json', {
  ...header('objects/undocumented.schema.json', 'Undocumented object',
    'Any object: the public record does not describe it. Only the fields every Digital River resource shares are typed.'),
  type: 'object',
  properties: {
    createdTime: dateTime,
    id: { type: 'string' },
    liveMode: { type: 'boolean' },
    metadata: { type: 'object' },
    updatedTime: dateTime,
  },
});

// ---------------------------------------------------------------------------------------------------------------
// The catalog: every event type with the schema of its data.object.
// ---------------------------------------------------------------------------------------------------------------
const prefixes = [
  ['account.', 'Account', { undocumented: true, generic: true }],
  ['checkout_session.order.created', 'Order', { note: 'Carries the order a Prebuilt Checkout session created (with its checkoutSessionId), as the docs\' example shows.' }],
  ['checkout.', 'Checkout'],
  ['customer.invoice_attribute.', 'InvoiceAttribute'],
  ['customer.source.', 'Source'],
  ['customer.tax_identifier.', 'TaxIdentifier'],
  ['customer.', 'Customer'],
  ['fee.', 'Fee'],
  ['fileLink.', 'FileLink'],
  ['fulfiller.', 'Fulfiller', { undocumented: true, generic: true }],
  ['fulfillment_cancellation.', 'FulfillmentCancellation'],
  ['fulfillment_order.shipped', 'Shipment', { note: 'Carries the shipment, not the fulfillment order.' }],
  ['fulfillment_order.', 'FulfillmentOrder'],
  ['fulfillment_return.', 'FulfillmentReturn'],
  ['fulfillment.', 'Fulfillment'],
  ['global_returns.', 'Return', { undocumented: true }],
  ['invoice_attribute.', 'InvoiceAttribute', { undocumented: true }],
  ['invoice.', 'Invoice'],
  ['location.', 'Location'],
  ['logistics_return.', 'Return', { undocumented: true }],
  ['manufacturer.', 'Manufacturer', { undocumented: true, generic: true }],
  ['order.charge.refund.failed', 'Order', { note: "Digital River's sample of this event carries the order (with its charges), not a charge." }],
  ['order.charge.reauth.failed', 'Order', { note: "Digital River's sample of this event carries the order (with its charges), not a charge." }],
  ['order.charge.', 'Charge'],
  ['order.chargeback', 'Order', { undocumented: true }],
  ['order.dispute', 'Order', { note: "Carries the order, as the docs' examples of order.dispute and order.dispute.resolved show." }],
  ['order.invoice.created', 'OrderDocument', { note: 'Carries the invoice file {id, fileId, orderId, customerId, purpose, invoiceURL}, not the order.' }],
  ['order.credit_memo.created', 'OrderDocument', { note: 'Carries the credit memo file {id, fileId, orderId, customerId, purpose, invoiceURL}, not the order.' }],
  ['order.', 'Order'],
  ['payout.', 'Payout'],
  ['plan.', 'Plan'],
  ['refund.', 'Refund'],
  ['return.', 'Return'],
  ['sales_transaction.', 'SalesTransaction'],
  ['sku.', 'Sku'],
  ['source.', 'Source'],
  ['subscription.extended', 'Subscription', { pair: true }],
  ['subscription.payment_failed', 'Subscription', { pair: true }],
  ['subscription.reminder', 'Subscription', { pair: true }],
  ['subscription.', 'Subscription'],
  ['tax_identifier.', 'TaxIdentifier'],
];

/** The resource state an event implies, where the samples or the event's name leave no doubt. */
const states = {
  'invoice.open': 'open', 'invoice.paid': 'paid', 'invoice.uncollectible': 'uncollectible', 'invoice.void': 'void',
  'order.accepted': 'accepted', 'order.blocked': 'blocked', 'order.cancelled': 'cancelled', 'order.complete': 'complete',
  'order.fulfilled': 'fulfilled', 'order.pending_payment': 'pending_payment', 'order.review_opened': 'in_review',
  'order.charge.capturable': 'capturable', 'order.charge.complete': 'complete', 'order.charge.completed': 'complete',
  'order.charge.failed': 'failed', 'order.charge.pending': 'pending', 'order.charge.processing': 'processing', 'order.charge.cancelled': 'cancelled',
  'refund.complete': 'succeeded', 'refund.succeeded': 'succeeded', 'refund.failed': 'failed', 'refund.pending': 'pending',
  'refund.pending_information': 'pending_information',
  'return.accepted': 'accepted', 'return.created': 'created',
  'fulfillment_order.backordered': 'backordered', 'fulfillment_order.cancelled': 'cancelled', 'fulfillment_order.pending': 'pending',
  'fulfillment_cancellation.accepted': 'accepted', 'fulfillment_cancellation.rejected': 'rejected',
  'fulfillment_return.accepted': 'accepted', 'fulfillment_return.created': 'created', 'fulfillment_return.pending': 'pending',
  'fulfillment_return.rejected': 'rejected',
  'subscription.created': 'draft', 'subscription.failed': 'failed', 'subscription.lapsed': 'lapsed',
  'source.chargeable': 'chargeable',
  'tax_identifier.not_valid': 'not_valid', 'tax_identifier.pending': 'pending', 'tax_identifier.verified': 'verified',
};

function catalogEntry(type, category) {
  const rule = prefixes.find(([prefix]) => type === prefix || (prefix.endsWith('.') && type.startsWith(prefix)) || type.startsWith(`${prefix}.`));
  if (!rule) throw new Error(`no resource for ${type}`);
  const [, resource, how = {}] = rule;
  const deleted = type.endsWith('.deleted');
  let schema;
  let note = how.note;
  if (how.generic) {
    schema = 'objects/undocumented.schema.json';
    note = "The public record does not describe this event's data.object; drhook accepts any object.";
  } else if (how.undocumented) {
    schema = partialFile(resource);
    note = `The public record does not describe this event's data.object; drhook assumes the closest resource (${resource}) and requires none of its fields.`;
  } else if (how.pair) {
    schema = 'objects/subscription-invoice.schema.json';
    note = 'data.object is {subscription, invoice}; it has no id of its own.';
  } else if (deleted) {
    schema = partialFile(resource);
    note = "Digital River's subscription.deleted sample carries an empty data.object (the details are in data.previousAttributes), so deleted events require no field.";
  } else {
    schema = fileOf(resource);
  }
  const expandable = eventTypes.expandable.includes(type);
  const keys = exampleKeys(type);
  return {
    type,
    category,
    resource,
    schema,
    ...(expandable ? { expandedSchema: `objects/${resources[resource].file}.expanded.schema.json` } : {}),
    documented: !how.undocumented,
    ...(note ? { note } : {}),
    ...(states[type] ? { state: states[type] } : {}),
    ...(eventTypes.retired[type] ? { retired: eventTypes.retired[type] } : {}),
    ...(keys ? { exampleKeys: keys } : {}),
  };
}

/**
 * The top-level keys of data.object in the docs' complete examples of `type`: those every example has, and those any
 * has. drhook generates at least the first and at most the second.
 */
function exampleKeys(type) {
  const objects = samples.filter((e) => e.type === type).map((e) => Object.keys(e.data.object));
  if (objects.length === 0) return undefined;
  const seen = [...new Set(objects.flat())].sort();
  return { shared: seen.filter((key) => objects.every((keys) => keys.includes(key))), seen, examples: objects.length };
}
for (const type of Object.keys(eventTypes.retired)) {
  if (!Object.values(eventTypes.categories).flat().includes(type)) throw new Error(`retired type ${type} is not listed`);
}

const catalog = {
  $schema: './catalog.schema.json',
  source: `${eventTypes.source}; data.object schemas built by scripts/build-schemas.mjs from Digital River's API object facts`,
  events: Object.entries(eventTypes.categories).flatMap(([category, types]) => types.map((type) => catalogEntry(type, category))),
};
for (const [type] of Object.entries(states)) {
  if (!catalog.events.some((e) => e.type === type)) throw new Error(`state for unknown type ${type}`);
}
files.set('catalog.json', catalog);

files.set('catalog.schema.json', {
  ...header('catalog.schema.json', 'drhook event catalog', 'Every supported event type with the schema of its data.object.'),
  type: 'object',
  required: ['source', 'events'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    source: { type: 'string' },
    events: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type', 'category', 'resource', 'schema', 'documented'],
        additionalProperties: false,
        properties: {
          type: { description: 'The event type, e.g. order.accepted.', type: 'string', pattern: '^[A-Za-z_]+(\\.[A-Za-z_]+)+$' },
          category: { description: "Digital River's category of the type.", type: 'string', minLength: 1 },
          resource: { description: 'The resource data.object holds (or the closest one).', type: 'string', pattern: '^[A-Z][A-Za-z]*$' },
          schema: { description: 'The data.object schema, relative to schemas/.', type: 'string', pattern: '^objects/[a-z-]+(\\.[a-z]+)?\\.schema\\.json$' },
          expandedSchema: { description: 'The schema of the expanded form, for expandable types.', type: 'string', pattern: '^objects/[a-z-]+\\.expanded\\.schema\\.json$' },
          documented: { description: "False when the public record does not describe this type's data.object.", type: 'boolean' },
          note: { description: 'Why the schema is what it is, where that is not obvious.', type: 'string', minLength: 1 },
          state: { description: "The resource state the event implies, where it is certain (data.object.state of generated events).", type: 'string', minLength: 1 },
          retired: { description: 'Present when Digital River no longer sends this type: the release note that retired it. drhook still generates it.', type: 'string', minLength: 1 },
          exampleKeys: {
            description: "For a type the docs show in complete examples (reference/sample-events/): data.object's top-level keys every example has (shared) and any has (seen). Generated events carry at least the shared keys and only seen ones.",
            type: 'object',
            required: ['shared', 'seen', 'examples'],
            additionalProperties: false,
            properties: {
              shared: { type: 'array', items: { type: 'string' }, uniqueItems: true },
              seen: { type: 'array', items: { type: 'string' }, uniqueItems: true },
              examples: { description: 'How many examples the keys come from.', type: 'integer', minimum: 1 },
            },
          },
        },
      },
    },
  },
});

files.set('event.schema.json', {
  ...header('event.schema.json', 'Digital River event',
    'The envelope of every webhook delivery. data.object is checked separately against the schema of the event type.'),
  type: 'object',
  required: ['id', 'type', 'data', 'liveMode', 'createdTime'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    type: { type: 'string', minLength: 1 },
    data: {
      type: 'object',
      required: ['object'],
      properties: {
        object: { type: 'object' },
        previousAttributes: { type: 'object' },
      },
    },
    liveMode: { type: 'boolean' },
    createdTime: dateTime,
    digitalriverVersion: { type: 'string', examples: ['2021-03-23', '2021-12-13'] },
    webhookIds: { type: 'array', items: { type: 'string' } },
    versionIds: { type: 'array', items: { type: 'string' } },
  },
});

// ---------------------------------------------------------------------------------------------------------------
// Output.
// ---------------------------------------------------------------------------------------------------------------
const expected = new Map([...files].map(([file, content]) => [file, `${JSON.stringify(content, null, 2)}\n`]));
// The script owns the files it builds and everything in objects/; other files in schemas/ belong to other parts of drhook.
const stale = fs.readdirSync(path.join(schemasDir, 'objects')).map((f) => `objects/${f}`).filter((f) => !expected.has(f));
if (check) {
  const read = (file) => (fs.existsSync(path.join(schemasDir, file)) ? fs.readFileSync(path.join(schemasDir, file), 'utf8') : undefined);
  const differing = [...expected].filter(([file, text]) => read(file) !== text).map(([file]) => file);
  if (differing.length || stale.length) {
    console.error(`schemas/ is not what scripts/build-schemas.mjs builds: ${[...differing, ...stale.map((f) => `${f} (not built)`)].join(', ')}`);
    process.exit(1);
  }
  console.log(`schemas/ is up to date (${expected.size} files)`);
} else {
  for (const file of stale) fs.rmSync(path.join(schemasDir, file));
  for (const [file, text] of expected) fs.writeFileSync(path.join(schemasDir, file), text);
  console.log(`wrote ${expected.size} files to schemas/`);
}
