// JSON pointers into data.object: read, write and remove a field, and name it the way reports and receivers do.

/** The reference tokens of a pointer such as `/items/0/skuId` (`~1` is `/`, `~0` is `~`). */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Record<string, unknown> | unknown[];

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

function child(container: Container, segment: string): unknown {
  return Array.isArray(container) ? container[Number(segment)] : container[segment];
}

export function getPointer(root: unknown, pointer: string): unknown {
  let current = root;
  for (const segment of pointerSegments(pointer)) {
    if (!isContainer(current)) return undefined;
    current = child(current, segment);
  }
  return current;
}

/** Sets the field, creating missing parents (objects, or arrays before a numeric segment). */
export function setPointer(root: Record<string, unknown>, pointer: string, value: unknown): void {
  const segments = pointerSegments(pointer);
  const last = segments.pop();
  if (last === undefined) throw new RangeError('cannot replace the root with a pointer');
  let current: Container = root;
  segments.forEach((segment, index) => {
    let next = child(current, segment);
    if (!isContainer(next)) {
      next = /^\d+$/.test(segments[index + 1] ?? last) ? [] : {};
      assign(current, segment, next);
    }
    current = next as Container;
  });
  assign(current, last, value);
}

/** Removes the field (an array element is spliced out); nothing happens when it is not there. */
export function removePointer(root: unknown, pointer: string): void {
  const segments = pointerSegments(pointer);
  const last = segments.pop();
  let parent = root;
  for (const segment of segments) parent = isContainer(parent) ? child(parent, segment) : undefined;
  if (last === undefined || !isContainer(parent)) return;
  if (Array.isArray(parent)) {
    if (/^\d+$/.test(last) && Number(last) < parent.length) parent.splice(Number(last), 1);
  } else {
    delete parent[last];
  }
}

function assign(container: Container, segment: string, value: unknown): void {
  if (Array.isArray(container)) container[Number(segment)] = value;
  else container[segment] = value;
}

/** `/billTo/address/country` → `data.object.billTo.address.country`; `/items/0/skuId` → `data.object.items[0].skuId`. */
export function fieldPath(pointer: string): string {
  return pointerSegments(pointer).reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : `${path}.${segment}`), 'data.object');
}

/** The field's own name: the last segment that is not an array index (`/items/0` → `items`). */
export function fieldKey(pointer: string): string | undefined {
  return pointerSegments(pointer)
    .filter((segment) => !/^\d+$/.test(segment))
    .pop();
}
