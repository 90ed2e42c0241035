// Terminal colour: whether a stream gets ANSI colours (TTY, NO_COLOR, FORCE_COLOR) and a palette that is a no-op without.
export interface Palette {
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

/** NO_COLOR (any non-empty value) always wins; FORCE_COLOR (other than "0"/"false") colours non-TTY streams too. */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return stream.isTTY === true;
}

export function palette(color: boolean): Palette {
  const sgr = (open: number, close: number) => (color ? (text: string) => `\u001b[${open}m${text}\u001b[${close}m` : (text: string) => text);
  return { red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), dim: sgr(2, 22), bold: sgr(1, 22) };
}
