// Records keyed by what a user wrote (kinds, apiVersions, container names, label keys, resource
// and quota names, instance types): only their own keys count, so that "constructor",
// "toString" or "__proto__" is a name like any other, never a property inherited from
// Object.prototype.

/** record[key] when the record has that key itself, else undefined. */
export function own<T>(record: Readonly<Record<string, T>> | null | undefined, key: string): T | undefined {
  return record && Object.hasOwn(record, key) ? record[key] : undefined;
}
