/** The object without its `undefined` fields: an option passed as `undefined` means "the default", not "unset". */
export function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
