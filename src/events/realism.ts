// Digital-River-shaped values: markets, people, addresses, products, id formats and the "scene" one event lives in.
import type { Mode } from './event.js';
import type { Random } from '../base/random.js';

export interface Address {
  line1: string;
  line2?: string;
  city: string;
  postalCode: string;
  state?: string;
  country: string;
}

export interface Person {
  firstName: string;
  lastName: string;
  name: string;
  email: string;
  phone: string;
  address: Address;
}

interface City {
  city: string;
  state?: string;
  postalCode: string;
  /** The combined sales tax / VAT rate Digital River would charge there. */
  taxRate: number;
}

export interface Market {
  country: string;
  currency: string;
  locale: string;
  /** Minor-unit digits of the currency (JPY has none). */
  decimals: 0 | 2;
  /** Rough size of one unit of the currency in US dollars, to keep prices plausible. */
  perDollar: number;
  sellingEntity: { id: string; name: string };
  cities: readonly City[];
  firstNames: readonly string[];
  lastNames: readonly string[];
  street(random: Random): string;
  phone(random: Random): string;
  line2: readonly string[];
}

const usFirst = ['Chase', 'William', 'Hilda', 'John', 'Maria', 'Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Carmen', 'Ethan', 'Sophia', 'Mason'];
const usLast = ['Marshall', 'Brown', 'Brandt', 'Smith', 'Johnson', 'Garcia', 'Miller', 'Davis', 'Wilson', 'Anderson', 'Sandiego', 'Taylor'];
const digits = (random: Random, count: number) => random.digits(count);

const markets: readonly Market[] = [
  {
    country: 'US', currency: 'USD', locale: 'en_US', decimals: 2, perDollar: 1,
    sellingEntity: { id: 'C5_INC-ENTITY', name: 'DR globalTech Inc.' },
    cities: [
      { city: 'Minneapolis', state: 'MN', postalCode: '55401', taxRate: 0.08025 },
      { city: 'Minnetonka', state: 'MN', postalCode: '55343', taxRate: 0.07525 },
      { city: 'Eden Prairie', state: 'MN', postalCode: '55344', taxRate: 0.07375 },
      { city: 'Eagan', state: 'MN', postalCode: '55122', taxRate: 0.07125 },
      { city: 'Austin', state: 'TX', postalCode: '78701', taxRate: 0.0825 },
      { city: 'Seattle', state: 'WA', postalCode: '98101', taxRate: 0.1025 },
      { city: 'Denver', state: 'CO', postalCode: '80202', taxRate: 0.0881 },
      { city: 'Chicago', state: 'IL', postalCode: '60601', taxRate: 0.1025 },
      { city: 'Portland', state: 'OR', postalCode: '97205', taxRate: 0 },
    ],
    firstNames: usFirst,
    lastNames: usLast,
    street: (r) => `${r.int(100, 9999)} ${r.pick(['Bren Road West', 'Any Road W', 'Main Street', 'Nicollet Mall', 'Hennepin Ave', 'Lake Street', 'Oak Street', 'West 76th St', 'Pine Street'])}`,
    phone: (r) => `${r.pick(['952', '612', '763', '512', '206', '303', '312'])}-${digits(r, 3)}-${digits(r, 4)}`,
    line2: ['Suite 116', 'Ste 1', 'Apt 4B', 'Unit 210', 'Floor 3'],
  },
  {
    country: 'CA', currency: 'CAD', locale: 'en_CA', decimals: 2, perDollar: 1.35,
    sellingEntity: { id: 'DR_INC-ENTITY', name: 'Digital River Inc.' },
    cities: [
      { city: 'Montreal', state: 'QC', postalCode: 'H3H2P2', taxRate: 0.14975 },
      { city: 'Toronto', state: 'ON', postalCode: 'M5V2T6', taxRate: 0.13 },
      { city: 'Vancouver', state: 'BC', postalCode: 'V6B1A1', taxRate: 0.12 },
    ],
    firstNames: ['Carmen', 'Liam', 'Chloe', 'Lucas', 'Emily', 'Nathan', 'Camille'],
    lastNames: ['Sandiego', 'Tremblay', 'Roy', 'Gagnon', 'Martin', 'MacDonald', 'Wong'],
    street: (r) => `${r.int(10, 2999)} ${r.pick(['Backwater Street', 'Rue Sherbrooke', 'King Street West', 'Granville Street', 'Yonge Street'])}`,
    phone: (r) => `${r.pick(['514', '416', '604'])}-${digits(r, 3)}-${digits(r, 4)}`,
    line2: ['Suite 116', 'Unit 5', 'Apt 1202'],
  },
  {
    country: 'DE', currency: 'EUR', locale: 'de_DE', decimals: 2, perDollar: 0.92,
    sellingEntity: { id: 'DR_IRELAND-ENTITY', name: 'Digital River Ireland Ltd.' },
    cities: [
      { city: 'Berlin', postalCode: '10115', taxRate: 0.19 },
      { city: 'Munich', postalCode: '80331', taxRate: 0.19 },
      { city: 'Hamburg', postalCode: '20095', taxRate: 0.19 },
      { city: 'Cologne', postalCode: '50667', taxRate: 0.19 },
    ],
    firstNames: ['Lukas', 'Anna', 'Jonas', 'Lea', 'Felix', 'Hannah', 'Paul', 'Mia'],
    lastNames: ['Mueller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Becker', 'Wagner'],
    street: (r) => `${r.pick(['Friedrichstrasse', 'Hauptstrasse', 'Schillerstrasse', 'Bahnhofstrasse', 'Gartenweg'])} ${r.int(1, 180)}`,
    phone: (r) => `+49 30 ${digits(r, 8)}`,
    line2: ['2. OG', 'Hinterhaus', 'c/o Buero 4'],
  },
  {
    country: 'FR', currency: 'EUR', locale: 'fr_FR', decimals: 2, perDollar: 0.92,
    sellingEntity: { id: 'DR_IRELAND-ENTITY', name: 'Digital River Ireland Ltd.' },
    cities: [
      { city: 'Paris', postalCode: '75002', taxRate: 0.2 },
      { city: 'Lyon', postalCode: '69002', taxRate: 0.2 },
      { city: 'Bordeaux', postalCode: '33000', taxRate: 0.2 },
    ],
    firstNames: ['Camille', 'Louis', 'Chloe', 'Hugo', 'Manon', 'Jules', 'Ines'],
    lastNames: ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit'],
    street: (r) => `${r.int(1, 140)} ${r.pick(['Rue de Rivoli', 'Avenue Victor Hugo', 'Rue de la Republique', 'Boulevard Voltaire'])}`,
    phone: (r) => `+33 1 ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)}`,
    line2: ['Batiment B', 'Appartement 12', '3e etage'],
  },
  {
    country: 'GB', currency: 'GBP', locale: 'en_GB', decimals: 2, perDollar: 0.79,
    sellingEntity: { id: 'DR_IRELAND-ENTITY', name: 'Digital River Ireland Ltd.' },
    cities: [
      { city: 'London', postalCode: 'SW1A 1AA', taxRate: 0.2 },
      { city: 'Manchester', postalCode: 'M1 1AE', taxRate: 0.2 },
      { city: 'Edinburgh', postalCode: 'EH1 1YZ', taxRate: 0.2 },
    ],
    firstNames: ['Oliver', 'Amelia', 'George', 'Isla', 'Harry', 'Poppy', 'Jack'],
    lastNames: ['Smith', 'Jones', 'Williams', 'Taylor', 'Davies', 'Evans', 'Wright'],
    street: (r) => `${r.int(1, 250)} ${r.pick(['Baker Street', 'High Street', 'Station Road', 'Church Lane', 'Victoria Road'])}`,
    phone: (r) => `+44 20 ${digits(r, 4)} ${digits(r, 4)}`,
    line2: ['Flat 3', 'Unit 7', 'Second Floor'],
  },
  {
    country: 'NL', currency: 'EUR', locale: 'nl_NL', decimals: 2, perDollar: 0.92,
    sellingEntity: { id: 'DR_IRELAND-ENTITY', name: 'Digital River Ireland Ltd.' },
    cities: [
      { city: 'Amsterdam', postalCode: '1012 AB', taxRate: 0.21 },
      { city: 'Utrecht', postalCode: '3511 AA', taxRate: 0.21 },
    ],
    firstNames: ['Daan', 'Emma', 'Sem', 'Julia', 'Lucas', 'Tess'],
    lastNames: ['de Jong', 'Jansen', 'de Vries', 'van Dijk', 'Bakker', 'Visser'],
    street: (r) => `${r.pick(['Damrak', 'Keizersgracht', 'Oudegracht', 'Prinsengracht'])} ${r.int(1, 400)}`,
    phone: (r) => `+31 20 ${digits(r, 3)} ${digits(r, 4)}`,
    line2: ['3 hoog', 'Unit A'],
  },
  {
    country: 'JP', currency: 'JPY', locale: 'ja_JP', decimals: 0, perDollar: 150,
    sellingEntity: { id: 'DR_JAPAN-ENTITY', name: 'Digital River Japan K.K.' },
    cities: [
      { city: 'Chiyoda-ku', state: 'Tokyo', postalCode: '100-0005', taxRate: 0.1 },
      { city: 'Osaka', state: 'Osaka', postalCode: '530-0001', taxRate: 0.1 },
    ],
    firstNames: ['Haruto', 'Yui', 'Sota', 'Hina', 'Ren', 'Aoi'],
    lastNames: ['Sato', 'Suzuki', 'Takahashi', 'Tanaka', 'Watanabe', 'Ito'],
    street: (r) => `${r.int(1, 9)}-${r.int(1, 20)}-${r.int(1, 30)} ${r.pick(['Marunouchi', 'Umeda', 'Shibuya', 'Ginza'])}`,
    phone: (r) => `03-${digits(r, 4)}-${digits(r, 4)}`,
    line2: ['Room 501', 'Building 2F'],
  },
];

export interface Product {
  name: string;
  description: string;
  /** Unit price in US dollars. */
  price: number;
  physical: boolean;
  /** Bought as a subscription that renews every year or month. */
  renews?: 'year' | 'month';
  weight?: { value: number; unit: 'g' | 'kg' | 'oz' | 'lb' };
  image: string;
  category: string;
}

const products: readonly Product[] = [
  { name: 'Widget', description: 'A small gadget or mechanical device. Brushed aluminium housing, two-year warranty, ships in recyclable packaging.', price: 10, physical: true, weight: { value: 10, unit: 'g' }, image: 'gadgets/widget-front-800x800.jpg', category: 'gadgets' },
  { name: 'Logitech Keyboard', description: 'Top rated wireless keyboard with quiet low-profile keys, multi-device pairing over Bluetooth and a 24-month battery life.', price: 49.99, physical: true, weight: { value: 20, unit: 'oz' }, image: 'peripherals/wireless-keyboard-top-800x800.jpg', category: 'peripherals' },
  { name: 'Athena Womens Running Shoes', description: 'Lightweight running shoes with a breathable mesh upper, responsive foam midsole and reflective details for early morning runs.', price: 15, physical: true, weight: { value: 1.4, unit: 'lb' }, image: 'apparel/athena-running-shoes-side-800x800.jpg', category: 'apparel' },
  { name: 'Dog biscuits', description: 'Crunchy oven-baked treats made with whole grains and real chicken, no artificial colours or preservatives. 1 kg resealable bag.', price: 10, physical: true, weight: { value: 1, unit: 'kg' }, image: 'pets/dog-biscuits-1kg-800x800.jpg', category: 'pets' },
  { name: 'Wireless Mouse', description: 'Ergonomic wireless mouse with silent clicks, adjustable 4000 DPI sensor and a nano USB receiver that stores inside the mouse.', price: 24.99, physical: true, weight: { value: 95, unit: 'g' }, image: 'peripherals/wireless-mouse-angle-800x800.jpg', category: 'peripherals' },
  { name: 'USB-C Hub', description: '7-in-1 USB-C hub with 4K HDMI output, 100 W power delivery pass-through, SD and microSD card readers and two USB-A ports.', price: 39.5, physical: true, weight: { value: 120, unit: 'g' }, image: 'peripherals/usb-c-hub-7in1-800x800.jpg', category: 'peripherals' },
  { name: 'Noise Cancelling Headphones', description: 'Over-ear headphones with adaptive active noise cancelling, 30 hours of playback, fast charging and a foldable travel case.', price: 199, physical: true, weight: { value: 250, unit: 'g' }, image: 'audio/anc-headphones-black-800x800.jpg', category: 'audio' },
  { name: 'Photo Editor Pro', description: 'Photo editing software with RAW support, AI-assisted masking and batch export. 1-year license for one computer, renews yearly.', price: 79.99, physical: false, renews: 'year', image: 'software/photo-editor-pro-box-600x600.png', category: 'software' },
  { name: 'Antivirus Plus', description: 'Antivirus and firewall protection for 3 devices with real-time threat detection, safe browsing and a password manager. 1 year.', price: 39.99, physical: false, renews: 'year', image: 'software/antivirus-plus-box-600x600.png', category: 'software' },
  { name: 'Cloud Backup 1 TB', description: 'Encrypted online backup with 1 TB of storage, file versioning for 90 days and apps for desktop and mobile. Billed monthly.', price: 5.01, physical: false, renews: 'month', image: 'subscriptions/cloud-backup-1tb-600x600.png', category: 'subscriptions' },
  { name: 'Video Converter Deluxe', description: 'Convert, trim and compress video files in more than 180 formats with hardware acceleration and presets for every device.', price: 29.95, physical: false, image: 'software/video-converter-deluxe-600x600.png', category: 'software' },
  { name: 'Language Course Spanish', description: 'Online Spanish course from beginner to intermediate: 120 interactive lessons, speech recognition and a certificate of completion.', price: 100, physical: false, image: 'education/spanish-course-600x600.png', category: 'education' },
  { name: 'Game Season Pass', description: 'Season pass with all downloadable content released this year: four story expansions, new maps and exclusive character skins.', price: 24.99, physical: false, image: 'games/season-pass-2024-600x600.png', category: 'games' },
  { name: 'Music Streaming Family', description: 'Ad-free music streaming for up to six family members with offline listening, lossless audio and a shared family mix.', price: 16.99, physical: false, renews: 'month', image: 'subscriptions/music-family-600x600.png', category: 'subscriptions' },
  { name: 'VPN Unlimited', description: 'Private VPN for unlimited devices with servers in 60 countries, a strict no-logs policy and an automatic kill switch.', price: 7.5, physical: false, renews: 'month', image: 'subscriptions/vpn-unlimited-600x600.png', category: 'subscriptions' },
  { name: 'Digital Product', description: 'A small mechanical device, delivered as a digital download with a license key sent by email right after payment.', price: 20, physical: false, image: 'software/digital-product-600x600.jpg', category: 'software' },
];

const renewingProducts = products.filter((product) => product.renews);
const productsOf = { physical: products.filter((product) => product.physical), digital: products.filter((product) => !product.physical) };

/** Every value a scene may give these fields: its market's country, currency and locale, its products' weight units. */
export const sceneChoices = {
  country: [...new Set(markets.map((market) => market.country))],
  currency: [...new Set(markets.map((market) => market.currency))],
  locale: [...new Set(markets.map((market) => market.locale))],
  weightUnit: [...new Set(products.flatMap((product) => (product.weight ? [product.weight.unit] : [])))],
} as const;

const carriers = [
  { name: 'Fedex', number: (r: Random) => `Z1010000${r.digits(7)}`, url: (n: string) => `http://www.fedex.com/Tracking?tracknumbers=${n}` },
  { name: 'UPS', number: (r: Random) => `1Z${r.hex(6).toUpperCase()}${r.digits(10)}`, url: (n: string) => `https://www.ups.com/track?tracknum=${n}` },
  { name: 'DHL', number: (r: Random) => r.digits(10), url: (n: string) => `https://www.dhl.com/en/express/tracking.html?AWB=${n}` },
  { name: 'USPS', number: (r: Random) => `9400${r.digits(18)}`, url: (n: string) => `https://tools.usps.com/go/TrackConfirmAction?tLabels=${n}` },
] as const;

const cards = [
  { brand: 'Visa', lastFourDigits: '1111' },
  { brand: 'Visa', lastFourDigits: '4242' },
  { brand: 'MasterCard', lastFourDigits: '0008' },
  { brand: 'MasterCard', lastFourDigits: '4444' },
  { brand: 'American Express', lastFourDigits: '0005' },
] as const;

// ---- id formats ------------------------------------------------------------------------------------------------

/** Digital River's numeric ids (orders, order items, customers): 12 digits ending in 0336, e.g. 204440790336. */
export function numericId(random: Random): string {
  return `${random.int(1, 9)}${random.digits(7)}0336`;
}

/** The kinds of ids a scene shares across an event, and their formats. */
export type IdKind =
  | 'order' | 'customer' | 'checkout' | 'charge' | 'source' | 'session' | 'plan' | 'subscription'
  | 'billingAgreement' | 'invoice' | 'fulfillment' | 'refund' | 'fulfillmentOrder' | 'return';

function newId(kind: IdKind, random: Random): string {
  switch (kind) {
    case 'order':
    case 'customer':
    case 'fulfillmentOrder':
      return numericId(random);
    case 'invoice':
      return random.hex(32);
    case 'fulfillment':
      return `ful_${random.uuid()}`;
    case 'refund':
      return `re_${random.uuid()}`;
    case 'return':
      return `ret_${random.uuid()}`;
    default:
      return random.uuid();
  }
}

// ---- the scene -------------------------------------------------------------------------------------------------

/** The world one event lives in: who bought what where, with which ids, when. Every choice comes from `random`. */
export interface Scene {
  readonly random: Random;
  readonly mode: Mode;
  readonly now: Date;
  readonly market: Market;
  readonly taxRate: number;
  readonly customer: Person;
  readonly recipient: Person;
  /** When the resource came to be: the earliest time in the event. */
  readonly origin: Date;
  /** The shared id of a kind (the same value everywhere in the event). */
  id(kind: IdKind): string;
  /** A time in [from, to], whole seconds, as Digital River writes it (2021-11-01T18:23:02Z). */
  timeBetween(from: Date, to: Date): string;
  /** A money amount in the market's currency, roughly `dollars` US dollars, rounded to the currency's digits. */
  money(dollars: number): number;
  /** Rounds to the currency's minor unit. */
  round(amount: number): number;
  /** The index-th line of the purchase: the same line wherever a list of items appears (order, fulfillment, invoice). */
  line(index: number): Line;
  /** Where goods ship from and returns go. */
  readonly warehouse: Person;
  readonly carrier: { name: string; trackingNumber: string; trackingUrl: string };
  /** How many line items the purchase has. */
  readonly lineCount: number;
  /** True when the caller asked for `lineCount` lines (generate's itemCount): every list of line items has them. */
  readonly linesRequested: boolean;
  /** What shipping costs when the purchase has physical goods, and how it ships. */
  readonly shippingCost: number;
  readonly shippingMethod: { serviceLevel: string; description: string };
  readonly card: { brand: string; lastFourDigits: string };
}

export interface Line {
  product: Product;
  quantity: number;
  /** Price of one unit in the market's currency. */
  unitPrice: number;
  skuId: string;
  partNumber: string;
  /** The order item id (Digital River numeric). */
  itemId: string;
  /** An id for line items of resources that use UUIDs (invoices, checkouts, fulfillment orders). */
  uuid: string;
}

const second = 1000;
const minute = 60 * second;
const day = 24 * 60 * minute;

export interface SceneOptions {
  mode: Mode;
  now: Date;
  /** How long ago the resource came to be: minutes for a purchase in progress, months for a long-lived resource. */
  lookback: 'minutes' | 'months';
  lineCount?: number;
  /** Only products bought as subscriptions (for subscriptions, their invoices and plans). */
  renewing?: boolean;
  /** Only goods that ship, or only goods that do not (an order whose examples always, or never, ship). Default: either. */
  goods?: 'physical' | 'digital';
}

export function createScene(random: Random, { mode, now, lookback, lineCount, renewing = false, goods }: SceneOptions): Scene {
  const offered = renewing ? renewingProducts : goods ? productsOf[goods] : products;
  const market = random.pick(markets);
  const city = random.pick(market.cities);
  const person = (sameHome?: Person): Person => {
    const firstName = random.pick(market.firstNames);
    const lastName = random.pick(market.lastNames);
    const address: Address = sameHome && random.chance(0.7)
      ? sameHome.address
      : {
          line1: market.street(random),
          ...(random.chance(0.15) ? { line2: random.pick(market.line2) } : {}),
          city: city.city,
          postalCode: city.postalCode,
          ...(city.state ? { state: city.state } : {}),
          country: market.country,
        };
    const mailbox = `${firstName}.${lastName}`.toLowerCase().replace(/[^a-z.]/g, '');
    return {
      firstName,
      lastName,
      name: `${firstName} ${lastName}`,
      email: `${mailbox}${random.chance(0.3) ? random.int(1, 99) : ''}@${random.pick(['example.com', 'example.org', 'example.net'])}`,
      phone: market.phone(random),
      address,
    };
  };
  const customer = person();
  const recipient = random.chance(0.8) ? customer : person(customer);
  const span = lookback === 'minutes' ? random.int(5 * second, 15 * minute) : random.int(2 * day, 200 * day);
  const origin = new Date(Math.floor((now.getTime() - span) / second) * second);
  const ids = new Map<IdKind, string>();
  const skus = new Map<Product, { skuId: string; partNumber: string }>();
  const lines: Line[] = [];
  const factor = 10 ** market.decimals;
  const round = (amount: number) => Math.round(amount * factor) / factor;
  const money = (dollars: number) => round(dollars * market.perDollar);
  const warehouseCity = random.pick(market.cities);
  const warehouse: Person = {
    firstName: 'Fulfillment',
    lastName: 'Center',
    name: `${market.sellingEntity.name} ${warehouseCity.city} Fulfillment Center`,
    email: 'returns@example.com',
    phone: market.phone(random),
    address: {
      line1: market.street(random),
      city: warehouseCity.city,
      postalCode: warehouseCity.postalCode,
      ...(warehouseCity.state ? { state: warehouseCity.state } : {}),
      country: market.country,
    },
  };
  const carrier = random.pick(carriers);
  const trackingNumber = carrier.number(random);

  return {
    random,
    mode,
    now,
    market,
    taxRate: city.taxRate,
    customer,
    recipient,
    origin,
    id(kind) {
      let id = ids.get(kind);
      if (id === undefined) {
        id = newId(kind, random);
        ids.set(kind, id);
      }
      return id;
    },
    timeBetween: (from, to) => timeBetween(random, from, to),
    money,
    round,
    line(index) {
      while (lines.length <= index) {
        const product = random.pick(offered);
        let key = skus.get(product);
        if (!key) {
          key = { skuId: random.uuid(), partNumber: `${random.hex(3).toUpperCase()}${random.digits(4)}${random.hex(4).toUpperCase()}` };
          skus.set(product, key);
        }
        lines.push({
          product,
          quantity: random.pick([1, 1, 1, 2, 2, 3, 5]),
          unitPrice: money(product.price),
          ...key,
          itemId: numericId(random),
          uuid: random.uuid(),
        });
      }
      return lines[index] as Line;
    },
    warehouse,
    lineCount: lineCount ?? random.pick([1, 1, 2, 2, 3]),
    linesRequested: lineCount !== undefined,
    shippingCost: money(random.pick([0, 5, 5, 9.99])),
    shippingMethod: random.pick([
      { serviceLevel: 'SG', description: 'standard' },
      { serviceLevel: 'SG', description: 'Standard Ground' },
      { serviceLevel: '2D', description: 'Two day' },
      { serviceLevel: 'ND', description: 'Next day' },
    ]),
    carrier: { name: carrier.name, trackingNumber, trackingUrl: carrier.url(trackingNumber) },
    card: random.pick(cards),
  };
}

function timeBetween(random: Random, from: Date, to: Date): string {
  const start = Math.min(from.getTime(), to.getTime());
  const end = Math.max(from.getTime(), to.getTime());
  const at = start + random.int(0, Math.floor((end - start) / second)) * second;
  // toISOString always ends in .sssZ: whole seconds drop the fraction.
  return `${new Date(at).toISOString().slice(0, -5)}Z`;
}

/**
 * The scene of one event of a story: the story's world (market, people, ids, lines, origin) as of `now`, the event's
 * other choices drawn from `random`. Ids and lines the story scene has not made yet are made by it, in call order.
 */
export function sceneAt(story: Scene, random: Random, now: Date): Scene {
  return { ...story, random, now, timeBetween: (from, to) => timeBetween(random, from, to) };
}

/** Every id kind an order's story shares (returns are not part of it), for a story that makes them all before its events. */
export const idKinds: readonly IdKind[] = [
  'order', 'customer', 'checkout', 'charge', 'source', 'session', 'plan', 'subscription',
  'billingAgreement', 'invoice', 'fulfillment', 'refund', 'fulfillmentOrder',
];
