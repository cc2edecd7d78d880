/** Code-unit string order: locale-independent, so exports and reports sort the same on every machine. */
export function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
