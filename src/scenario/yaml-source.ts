// A YAML (or JSON) text with positions, so every problem in it is reported as `file:line:col: key.path: message`.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { UsageError } from '../base/errors.js';

/** Keys and array indexes from the document root, e.g. ['events', 2, 'weight']. */
export type KeyPath = ReadonlyArray<string | number>;

/** What a message points at: the key that names a value (an unknown key) or the value itself (a wrong value). */
export type Anchor = 'key' | 'value';

export interface YamlSource {
  file: string;
  /** The document as plain data, aliases resolved. */
  data: unknown;
  /** Whether the text itself contains this path (as opposed to a default filled in later). */
  has(path: KeyPath): boolean;
  /** Where in the text the path is or, when the text lacks it, its nearest ancestor: an offset, to order problems by. */
  offset(path: KeyPath, anchor: Anchor): number;
  /** A usage error `file:line:col: key.path: message`, placed at `offset(path, anchor)`. */
  error(path: KeyPath, anchor: Anchor, message: string): UsageError;
}

/** `events[2].weight`; the empty path (the whole document) is the empty string. */
export function formatKeyPath(path: KeyPath): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`)).join('');
}

/** Parses one YAML document (JSON is YAML too); a syntax error is a usage error naming file, line and column. */
export function parseYaml(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const where = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  const syntaxError = doc.errors[0];
  if (syntaxError) {
    const message = syntaxError.code === 'MULTIPLE_DOCS' ? 'more than one document (a --- line): keep one' : syntaxError.message;
    throw new UsageError(`${where(syntaxError.pos[0])}: invalid YAML: ${message}`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new UsageError(`${file}: invalid YAML: ${(error as Error).message}`);
  }
  const offset = (path: KeyPath, anchor: Anchor): number => {
    const { found, key, value } = find(doc, path);
    const node = found === path.length && anchor === 'value' ? (value ?? key) : (key ?? value);
    return node?.range?.[0] ?? 0;
  };
  return {
    file,
    data,
    has: (path) => find(doc, path).found === path.length,
    offset,
    error: (path, anchor, message) =>
      new UsageError(`${where(offset(path, anchor))}: ${path.length > 0 ? `${formatKeyPath(path)}: ` : ''}${message}`),
  };
}

interface Found {
  /** How many parts of the path exist in the text. */
  found: number;
  /** The key node of the deepest part found (absent for array items and the root). */
  key?: Node;
  /** Its value node. */
  value?: Node;
}

/** Walks the path through maps and lists (through aliases too, while reporting the alias itself where it is written). */
function find(doc: Document, path: KeyPath): Found {
  let value = (doc.contents ?? undefined) as Node | undefined;
  let key: Node | undefined;
  let found = 0;
  for (const part of path) {
    const container = isAlias(value) ? value.resolve(doc) : value;
    if (isMap(container)) {
      const pair = container.items.find((item) => isScalar(item.key) && String(item.key.value) === String(part));
      if (!pair) break;
      key = pair.key as Node;
      value = (pair.value ?? undefined) as Node | undefined;
    } else if (isSeq(container) && typeof part === 'number' && part < container.items.length) {
      key = undefined;
      value = (container.items[part] ?? undefined) as Node | undefined;
    } else {
      break;
    }
    found++;
  }
  return { found, ...(key ? { key } : {}), ...(value ? { value } : {}) };
}
