// Records keyed by what a user wrote (kinds, apiVersions, container names, label keys, resource
// and quota names, instance types): only their own keys count, so that "constructor",
// "toString" or "__proto__" is a name like any other, never a property inherited from
// Object.prototype.

/** record[key] when the record has that key itself, else undefined. */
export function own<T>(record: Readonly<Record<string, T>> | null | undefined, key: string): T | undefined {
  return record && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Sets an own key, as YAML and JSON would: "__proto__" is a key like any other, never a way to
 *  reach (or replace) the record's prototype. */
export function setOwn(record: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
}
