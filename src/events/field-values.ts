// Replaces json-schema-faker's placeholder values with Digital-River-shaped ones, field by field, from the event's scene.
import { isRecord } from '../base/is-record.js';
import { lineItemsKeyword } from './generation-schema.js';
import { numericId, sceneChoices, type Address, type IdKind, type Line, type Person, type Scene } from './realism.js';
import { copyJson } from './schemas.js';

type Json = Record<string, unknown>;

/** Where a value sits: the property holding it, the resource it belongs to, the person and line item it is about. */
interface Place {
  key: string;
  kind: string;
  index: number;
  person: Person;
  line?: Line;
}

/** Objects under these properties are resources of their own kind. */
const kindOfProperty: Record<string, string> = {
  orderDetails: 'Order',
  subscription: 'Subscription',
  invoice: 'Invoice',
  charges: 'Charge',
  sources: 'Source',
  session: 'Session',
  captures: 'Operation',
  refunds: 'Operation',
  cancels: 'Operation',
  productDetails: 'Product',
  sellingEntity: 'SellingEntity',
  shippingChoice: 'ShippingChoice',
  taxIdentifiers: 'TaxIdentifier',
  location: 'Location',
  creditMemoPDFs: 'File',
  invoicePDFs: 'File',
  storeCredits: 'StoreCredit',
};

/** Contact blocks and the person they describe. */
function personFor(key: string, scene: Scene, current: Person): Person {
  switch (key) {
    case 'billTo':
    case 'owner':
      return scene.customer;
    case 'shipTo':
    case 'shipping':
    case 'addresses':
      return scene.recipient;
    case 'shipFrom':
    case 'location':
      return scene.warehouse;
    default:
      return current;
  }
}

const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const futureTime = /^(next|expires|contractBindingUntil|currentPeriodEnd|endDate|endTime)/;
const moneyKey = /amount|price|total|fee|tax$|cost|share|shipping|credit|discount|payout/i;

/**
 * Dresses the generated data.object of a resource in place and returns it. `schema` is the schema it was generated
 * from: a value the schema restricts to a list (enum, examples) keeps the schema's choice unless ours is on the list.
 */
export function dressFields(object: Json, schema: Json, resource: string, scene: Scene): Json {
  const person = resource === 'FulfillmentOrder' ? scene.recipient : resource === 'Location' ? scene.warehouse : scene.customer;
  dressObject(object, schema, { key: resource, kind: resource, index: 0, person }, scene);
  return object;
}

function dressObject(object: Json, schema: Json, place: Place, scene: Scene): void {
  const properties = isRecord(schema.properties) ? schema.properties : none;
  // Dressing sets or deletes only the key at hand, so walking the object while changing it is safe.
  for (const key in object) {
    const value = object[key];
    const field = Object.hasOwn(properties, key) ? properties[key] : undefined;
    const sub = isRecord(field) ? field : none;
    if (Array.isArray(value)) {
      const itemSchema = isRecord(sub.items) ? sub.items : none;
      if (sub[lineItemsKeyword] === true) extendLines(value, scene.lineCount);
      for (let index = 0; index < value.length; index++) {
        const element: unknown = value[index];
        if (isRecord(element)) dressObject(element, itemSchema, enter(place, key, index, scene), scene);
        else value[index] = restricted(element, leaf(element, key, place, scene), itemSchema);
      }
    } else if (isRecord(value)) {
      if (metadataKeys.has(key)) object[key] = metadata(place, scene);
      else dressObject(value, sub, enter(place, key, 0, scene), scene);
    } else {
      const dressed = restricted(value, leaf(value, key, place, scene), sub);
      if (dressed === undefined) delete object[key];
      else object[key] = dressed;
    }
  }
  if (typeof object.clientSecret === 'string' && typeof object.id === 'string') object.clientSecret = `${object.id}_${scene.random.uuid()}`;
  if (place.line && place.kind.endsWith('Item')) fitLine(object, properties, place.line, scene);
}

/** The schema of a field the schema does not describe. */
const none: Json = Object.freeze({});

/** A line item ships from somewhere only if its product is physical, and has subscription details exactly when it renews. */
function fitLine(item: Json, properties: Json, line: Line, scene: Scene): void {
  if (!line.product.physical) delete item.shipFrom;
  const renews = line.product.renews;
  if (!isRecord(properties.subscriptionInfo)) return;
  if (!renews) {
    delete item.subscriptionInfo;
    return;
  }
  item.subscriptionInfo = {
    subscriptionId: scene.id('subscription'),
    planId: scene.id('plan'),
    terms: `Renews automatically every ${renews} at the then current price until cancelled. Cancel anytime from your account.`,
    autoRenewal: true,
    freeTrial: false,
    billingAgreementId: scene.id('billingAgreement'),
  };
}

/** Grows a generated list of line items to `count` with copies of its entries (dressing makes each its own line). */
function extendLines(items: unknown[], count: number): void {
  const templates = items.length;
  for (let index = templates; index < count && templates > 0; index++) items.push(copyJson(items[index % templates]));
}

/** The lists of allowed values (enum, examples) as sets, for the long ones (countries, currencies). */
const allowedSets = new WeakMap<readonly unknown[], ReadonlySet<unknown>>();

/** The dressed value, unless the schema lists the allowed values and it is not one of them. */
function restricted(generated: unknown, dressed: unknown, schema: Json): unknown {
  if (dressed === undefined) return undefined;
  const allowed = Array.isArray(schema.enum) ? schema.enum : Array.isArray(schema.examples) ? schema.examples : undefined;
  if (!allowed) return dressed;
  if (allowed.length < 16) return allowed.includes(dressed) ? dressed : generated;
  let set = allowedSets.get(allowed);
  if (!set) {
    set = new Set(allowed);
    allowedSets.set(allowed, set);
  }
  return set.has(dressed) ? dressed : generated;
}

/** Objects replaced whole by `metadata`. */
const metadataKeys = new Set(['metadata', 'lineItemMetadata', 'orderMetadata']);
/** Objects whose `state` is the state (province) of the person's address: anywhere else `state` keeps its generated text. */
const addressKeys = new Set(['address', 'purchaseLocation']);

/** True for text `text` may keep as generated: a state outside an address, a type or value of anything but a tax identifier. */
function keepsText(key: string, parent: string): boolean {
  return key === 'state' ? !addressKeys.has(parent) : key === 'value' || key === 'type';
}

/** Where physical products are made. */
const originCountries = ['US', 'CN', 'DE', 'MX', 'TW'] as const;
const customerTypes = ['individual', 'business'] as const;

/** Every value `text` gives these keys, whatever was generated there (weightUnit: or none, which removes the field). */
const textChoices = new Map<string, readonly string[]>([
  ...['country', 'billToCountry', 'shipToCountry', 'shipFromCountry'].map((key): [string, readonly string[]] => [key, sceneChoices.country]),
  ...['currency', 'cardCurrency'].map((key): [string, readonly string[]] => [key, sceneChoices.currency]),
  ['locale', sceneChoices.locale],
  ['weightUnit', sceneChoices.weightUnit],
  ['countryOfOrigin', originCountries],
  ['customerType', customerTypes],
]);

/**
 * The placeholder json-schema-faker need not generate for the field at `path` (see generation-schema): a value of
 * the kind it would generate that dressing replaces exactly as it replaces any generated one. Undefined where the
 * generated value matters: a choice from a list (enum, const, examples) that `restricted` may keep, a text `text` may
 * keep, a flag dressing keeps, an object or array of fields, or a field of several possible types.
 */
export function placeholderFor(path: readonly string[], schema: Json): unknown {
  const key = path[path.length - 1] ?? '';
  if (Array.isArray(schema.enum) && schema.type === 'string' && !('const' in schema) && !('examples' in schema)) {
    // A list holding every value `text` gives the key: `restricted` never keeps the generated choice.
    const choices = textChoices.get(key);
    const allowed = schema.enum;
    return choices && choices.every((choice) => allowed.includes(choice)) ? choices[0] : undefined;
  }
  if ('enum' in schema || 'const' in schema || 'examples' in schema) return undefined;
  switch (schema.type) {
    case 'string':
      // `text` dresses any date-time as a time, anything else by its key and place alone.
      return keepsText(key, path[path.length - 2] ?? '') ? undefined : schema.format === 'date-time' ? '2020-01-01T00:00:00Z' : 'x';
    case 'integer':
      return 0;
    case 'number':
      // json-schema-faker's numbers have a fraction (the schemas use no multipleOf); `number` only asks whether there is one.
      return 'multipleOf' in schema ? undefined : 0.5;
    case 'boolean':
      return dressedFlags.has(key) ? false : undefined;
    case 'object':
      return metadataKeys.has(key) ? {} : undefined;
    default:
      return undefined;
  }
}

function enter(place: Place, key: string, index: number, scene: Scene): Place {
  const kind = key === 'items' ? `${place.kind}Item` : kindOfProperty[key] ?? place.kind;
  const line = key === 'items' ? scene.line(index) : place.line;
  return { key, kind, index, person: personFor(key, scene, place.person), line };
}

function metadata(place: Place, scene: Scene): Json {
  const { random } = scene;
  const line = place.line;
  if (line && place.kind === 'Product') {
    return { category: line.product.category, productLine: line.product.name.split(' ')[0] ?? line.product.name, catalogVersion: `${scene.now.getUTCFullYear()}.${random.int(1, 4)}` };
  }
  if (!line) return { channel: random.pick(['web', 'mobile-app', 'call-center']), externalReference: `ERP-${random.digits(8)}` };
  const handling = line.product.physical
    ? { warehouseCode: `${scene.market.country}-WH-0${random.int(1, 9)}`, fulfillmentPriority: random.pick(['standard', 'standard', 'expedited']) }
    : { licenseKeyPool: `LKP-${line.product.category.toUpperCase()}-${random.digits(3)}`, deliveryChannel: random.pick(['email', 'download', 'account']) };
  return {
    category: line.product.category,
    catalogPartNumber: line.partNumber,
    erpLineId: `L-${random.digits(8)}`,
    costCenter: `CC-${random.digits(4)}`,
    ...handling,
    campaign: random.pick(['spring-sale', 'newsletter', 'none', 'affiliate-network', 'loyalty-program']),
    customerReference: `PO-${scene.now.getUTCFullYear()}-${random.digits(6)}`,
  };
}

/** The realistic value of one field; undefined removes the field (e.g. a state an address of that country has not). */
function leaf(value: unknown, key: string, place: Place, scene: Scene): unknown {
  if (typeof value === 'string') return text(value, key, place, scene);
  if (typeof value === 'number') return number(value, key, place, scene);
  if (typeof value === 'boolean') return flag(value, key, place, scene);
  return value;
}

function time(key: string, scene: Scene): string {
  const { now, origin } = scene;
  if (futureTime.test(key)) return scene.timeBetween(new Date(now.getTime() + 86_400_000), new Date(now.getTime() + 60 * 86_400_000));
  if (key === 'createdTime') return scene.timeBetween(origin, origin);
  return scene.timeBetween(origin, now);
}

function idOf(kind: string, place: Place, scene: Scene): string {
  const { line, index } = place;
  switch (kind) {
    case 'Order':
      return scene.id('order');
    case 'OrderItem':
      return line?.itemId ?? numericId(scene.random);
    case 'Charge':
      return index === 0 ? scene.id('charge') : scene.random.uuid();
    case 'Source':
      return index === 0 ? scene.id('source') : scene.random.uuid();
    case 'Session':
    case 'CheckoutSession':
      return scene.id('session');
    case 'Subscription':
      return scene.id('subscription');
    case 'Invoice':
      return scene.id('invoice');
    case 'Customer':
      return scene.id('customer');
    case 'Checkout':
      return scene.id('checkout');
    case 'Plan':
      return scene.id('plan');
    case 'Refund':
      return scene.id('refund');
    case 'Fulfillment':
      return scene.id('fulfillment');
    case 'FulfillmentOrder':
      return scene.id('fulfillmentOrder');
    case 'Product':
    case 'Sku':
      return (line ?? scene.line(0)).skuId;
    case 'SellingEntity':
      return scene.market.sellingEntity.id;
    case 'ShippingChoice':
      return scene.random.pick(['standard', 'express', 'next-day']);
    default:
      return line && kind.endsWith('Item') ? line.uuid : scene.random.uuid();
  }
}

/** Ids that refer to another resource: the same value everywhere in the event. */
const referenceKinds: Record<string, IdKind> = {
  orderId: 'order',
  customerId: 'customer',
  checkoutId: 'checkout',
  sourceId: 'source',
  defaultSourceId: 'source',
  planId: 'plan',
  subscriptionId: 'subscription',
  billingAgreementId: 'billingAgreement',
  paymentSessionId: 'session',
  invoiceId: 'invoice',
  fulfillmentId: 'fulfillment',
  fulfillmentOrderId: 'fulfillmentOrder',
};

/** What a text rule reads: the generated value and its place, and the scene with the person, address, line item and product there. */
interface TextContext {
  value: string;
  place: Place;
  scene: Scene;
  kind: string;
  person: Person;
  address: Address;
  /** The line item the field is about, or the first one. */
  item: Line;
  product: Line['product'];
  random: Scene['random'];
  market: Scene['market'];
}

/** The value `text` gives a field by its key (undefined removes the field). */
type TextRule = (at: TextContext) => string | undefined;

/** Text fields dressed by their key alone, several keys sharing a rule; keys not here are dressed by `text`'s fallbacks. */
const textRules = new Map<string, TextRule>(
  ([
    [['skuId'], ({ item }) => item.skuId],
    [['itemId', 'lineItemId'], ({ item }) => item.itemId],
    [['fulfillmentOrderItemId', 'shipmentItemId'], ({ item }) => item.uuid],
    [['partNumber'], ({ item }) => item.partNumber],
    [['inventoryItemId', 'upstreamId', 'orderUpstreamID', 'fulfillmentOrderUpstreamId', 'fulfillmentOrderItemUpstreamId', 'skuGroupId', 'manufacturerId', 'fileId', 'token', 'reservationId', 'salesSummaryId', 'shipmentId', 'shippingChoiceId', 'trackingCompanyId', 'segmentId', 'trackingId', 'payeeId', 'payerId'], ({ random }) => random.uuid()],
    [['email'], ({ person }) => person.email],
    [['name'], ({ place, scene, kind }) => nameFor(kind, place, scene)],
    [['payeeName'], ({ market }) => market.sellingEntity.name],
    [['payerName', 'verifiedName'], ({ person }) => person.name],
    [['firstName'], ({ person }) => person.firstName],
    [['lastName'], ({ person }) => person.lastName],
    [['recipient'], ({ person }) => person.name],
    [['phone', 'phoneNumber'], ({ person }) => person.phone],
    [['organization'], ({ person, random }) => `${person.lastName} ${random.pick(['GmbH', 'Inc.', 'Ltd.', 'Consulting'])}`],
    [['line1'], ({ address }) => address.line1],
    [['line2'], ({ address }) => address.line2],
    [['city'], ({ address }) => address.city],
    [['postalCode'], ({ address }) => address.postalCode],
    [['state'], ({ value, place, address }) => addressKeys.has(place.key) ? address.state : value],
    [['verifiedAddress'], ({ address }) => `${address.line1}, ${address.postalCode} ${address.city}`],
    [['country', 'billToCountry', 'shipToCountry', 'shipFromCountry'], ({ market }) => market.country],
    [['countryOfOrigin'], ({ product, random }) => product.physical ? random.pick(originCountries) : 'US'],
    [['currency', 'cardCurrency'], ({ market }) => market.currency],
    [['locale'], ({ market }) => market.locale],
    [['customerType'], ({ random }) => random.chance(0.9) ? customerTypes[0] : customerTypes[1]],
    [['description'], ({ scene, product, kind }) => descriptionFor(kind, product.description, scene)],
    [['image'], ({ product }) => `https://cdn.example.com/catalog/images/${product.image}`],
    [
      ['url'],
      ({ product, random, kind }) =>
        kind === 'File' || kind === 'FileLink'
          ? `https://files.digitalriver.com/links/${random.uuid()}`
          : `https://www.example.com/products/${product.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
    ],
    [['browserIp'], ({ random }) => `${random.pick(['192.0.2', '198.51.100', '203.0.113'])}.${random.int(1, 254)}`],
    [['trackingCompany'], ({ scene }) => scene.carrier.name],
    [['trackingNumber'], ({ scene }) => scene.carrier.trackingNumber],
    [['trackingUrl'], ({ scene }) => scene.carrier.trackingUrl],
    [['serviceLevel'], ({ scene }) => scene.shippingMethod.serviceLevel],
    [['shippingInstructions'], () => 'Leave at the front desk'],
    [['brand'], ({ scene }) => scene.card.brand],
    [['lastFourDigits', 'lastFour'], ({ scene }) => scene.card.lastFourDigits],
    [['eccn'], ({ product }) => product.physical ? '5A992.c' : 'EAR99'],
    [['taxCode', 'skuTaxCode'], ({ product }) => product.physical ? '4323.320_A' : '4323.310_A'],
    [['weightUnit'], ({ product }) => product.weight?.unit],
    [['hsCode'], () => '8471.60'],
    [['itemBreadcrumb'], ({ product }) => `Store > ${product.category}`],
    [['terms'], () => 'The buyer agrees to pay money in exchange for goods or services'],
    [['reason'], ({ random }) => random.pick(['Customer request', 'Damaged in transit', 'Wrong size', 'Ordered by mistake'])],
    [['giftMessage'], () => 'Happy birthday!'],
    [['accountHolder'], () => 'Global Collect BV'],
    [['bankName'], () => 'Rabobank N.A.'],
    [['referenceId', 'customerPaymentReference', 'billId', 'receiptNumber'], ({ random }) => random.digits(12)],
    [['accountNumber'], ({ random }) => random.digits(10)],
    [['swiftCode'], () => 'RABOUS66XXX'],
    [['iban'], ({ random }) => `NL${random.digits(2)}RABO${random.digits(10)}`],
    [['bankCode'], ({ random }) => random.digits(4)],
    [['value'], ({ value, random, market, kind }) => kind === 'TaxIdentifier' ? `${market.country}${random.digits(9)}` : value],
    [['type'], ({ value, market, kind }) => kind === 'TaxIdentifier' ? market.country.toLowerCase() : value],
    [['paymentType'], () => 'creditCard'],
    [['category'], ({ random }) => random.pick(['battery', 'weee', 'packaging'])],
    [['authorityType'], ({ random }) => random.pick(['state', 'county', 'city'])],
    [['entity'], ({ market }) => market.sellingEntity.id],
    [['weightAndUnits'], ({ product }) => `${product.weight?.value ?? 1} ${product.weight?.unit ?? 'kg'}`],
    [['rateAndUnits'], ({ scene, market }) => `${scene.money(0.5).toFixed(market.decimals)} ${market.currency} per unit`],
    [['feeExemption'], () => 'none'],
    [['brandName'], ({ product }) => product.name.split(' ')[0] ?? product.name],
    [['complianceAgency'], ({ random }) => random.pick(['Stiftung EAR', 'ecosystem', 'Valpak'])],
    [['invoiceTitle'], ({ person }) => `${person.lastName} Trading Co., Ltd.`],
    [['regBank'], () => 'Bank of China'],
    [['regAccount'], ({ random }) => random.digits(16)],
    [['regAddress'], ({ address }) => `${address.line1}, ${address.city}`],
    [['regPhone'], ({ person }) => person.phone],
    [['imeiNumber'], ({ random }) => random.digits(15)],
    [['serialNumber'], ({ random }) => `SN${random.hex(10).toUpperCase()}`],
    [['simCardNumber'], ({ random }) => `8901${random.digits(15)}`],
  ] as Array<[string[], TextRule]>).flatMap(([keys, rule]) => keys.map((key): [string, TextRule] => [key, rule])),
);

function text(value: string, key: string, place: Place, scene: Scene): string | undefined {
  const { random, market } = scene;
  const { person, line, kind } = place;
  const address = person.address;
  const item = line ?? scene.line(0);
  const product = item.product;
  if (dateTime.test(value)) return time(key, scene);
  if (key === 'id') return idOf(kind, place, scene);
  const reference = Object.hasOwn(referenceKinds, key) ? referenceKinds[key] : undefined;
  if (reference) return scene.id(reference);
  const rule = textRules.get(key);
  if (rule) return rule({ value, place, scene, kind, person, address, item, product, random, market });
  if (/Url$/.test(key)) return `https://shop.example.com/checkout/${key.replace(/Url$/, '').toLowerCase()}`;
  if (/Id$/.test(key)) return random.uuid();
  return value === '' ? value : `${key}-${random.hex(6)}`;
}

function nameFor(kind: string, place: Place, scene: Scene): string {
  const product = (place.line ?? scene.line(0)).product;
  switch (kind) {
    case 'Product':
    case 'Sku':
    case 'FulfillmentOrderItem':
      return product.name;
    case 'SellingEntity':
      return scene.market.sellingEntity.name;
    case 'Plan':
      return scene.random.pick(['Monthly Plan', '365 Days Plan Paid Monthly', 'Annual Plan', 'Monthly Paid Every 3 Days Plan']);
    case 'StoreCredit':
      return 'Store credit';
    case 'Fulfiller':
    case 'Manufacturer':
      return `${place.person.lastName} ${scene.random.pick(['Logistics', 'Manufacturing', 'Industries'])}`;
    default:
      return place.person.name;
  }
}

function descriptionFor(kind: string, productDescription: string, scene: Scene): string {
  switch (kind) {
    case 'ShippingChoice':
      return scene.shippingMethod.description;
    case 'Invoice':
      return scene.random.pick(['Monthly Plan', '365 Days Plan Paid Monthly', 'Annual Plan']);
    default:
      return productDescription;
  }
}

function number(value: number, key: string, place: Place, scene: Scene): number | undefined {
  const { random, now } = scene;
  const product = (place.line ?? scene.line(0)).product;
  switch (key) {
    case 'quantity':
      return (place.line ?? scene.line(0)).quantity;
    case 'price':
    case 'aggregatePrice':
      return (place.line ?? scene.line(0)).unitPrice;
    case 'amount':
    case 'subtotal':
      // A line item's amount is its line total; priced documents rebalance theirs later.
      if (place.line && place.kind.endsWith('Item')) return scene.round(place.line.unitPrice * place.line.quantity);
      return scene.money(random.int(500, 20_000) / 100);
    case 'id':
      return Number(place.line?.itemId ?? scene.id('fulfillmentOrder'));
    case 'rate':
      return scene.taxRate;
    case 'weight':
      return product.weight?.value;
    case 'expirationMonth':
      return random.int(1, 12);
    case 'expirationYear':
      return now.getUTCFullYear() + random.int(1, 6);
    case 'lastFourDigits':
      return Number(scene.card.lastFourDigits);
    case 'percentOff':
    case 'percent':
      return random.pick([5, 10, 15, 20, 25]);
    case 'conversionRate':
      return 1;
    case 'exchangeRate':
      return Math.round((1 / scene.market.perDollar) * 10_000) / 10_000;
    case 'collectionPeriodDays':
      return random.int(0, 7);
    case 'billingOffsetDays':
      return random.int(0, 3);
    case 'reminderOffsetDays':
      return random.pick([3, 5, 7]);
    case 'contractBindingDays':
      return 365;
    case 'intervalCount':
      return 1;
    case 'attemptCount':
      return random.int(0, 2);
    case 'renewalAttemptNumber':
      return 1;
    default:
      if (moneyKey.test(key)) return scene.money(random.int(500, 20_000) / 100);
      return Number.isInteger(value) ? random.int(0, 3) : Math.round(random.next() * 1000) / 100;
  }
}

/** Flags dressing sets; every other flag keeps its generated value. */
const dressedFlags = new Map<string, (place: Place, scene: Scene) => boolean>([
  ['liveMode', (_, scene) => scene.mode === 'live'],
  ['livemode', (_, scene) => scene.mode === 'live'],
  ['physical', (place, scene) => (place.line ?? scene.line(0)).product.physical],
  ...['requestToBeForgotten', 'freeTrial', 'expired', 'importerOfRecordTax', 'taxInclusive', 'giftWrap'].map((key): [string, () => boolean] => [key, () => false]),
  ...['autoRenewal', 'enabled'].map((key): [string, () => boolean] => [key, () => true]),
]);

function flag(value: boolean, key: string, place: Place, scene: Scene): boolean {
  const dressed = dressedFlags.get(key);
  return dressed ? dressed(place, scene) : value;
}
