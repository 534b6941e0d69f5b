// The sandbox's persistent state: named collections of JSON records, kept in memory and made
// durable by an append-only log (one line per commit, flushed to disk in the background) that is compacted into a snapshot
// from time to time. A kill -9 at any moment leaves a snapshot plus a log whose last line may be
// torn; loading ignores a torn last line, so every commit is all-or-nothing.
//
// Implementation: state/fileStore.ts (FileStore implements Store).

export type CollectionName =
  | 'meta' // account id, endpoint prefix, credentials, CA material
  | 'things'
  | 'thingTypes'
  | 'thingGroups'
  | 'thingGroupMembers' // key `${groupName}\u0000${thingName}`
  | 'certificates'
  | 'policies'
  | 'policyTargets' // key `${policyName}\u0000${targetArn}`
  | 'thingPrincipals' // key `${thingName}\u0000${principalArn}`
  | 'shadows' // key `${thingName}\u0000${shadowName}` ('' for the classic shadow): one whole ShadowRecord
  | 'retained' // key: the topic; the MQTT retained message of that topic (RetainedMessageRecord)

export type Change =
  | { op: 'put'; collection: CollectionName; key: string; value: unknown }
  | { op: 'delete'; collection: CollectionName; key: string }

export interface Store {
  get<T>(collection: CollectionName, key: string): T | undefined
  /** All records of a collection, in the order they were first put. */
  list<T>(collection: CollectionName): T[]
  /** The records that match, in list order; only those are copied, so a lookup costs no clone of the rest. */
  filter<T>(collection: CollectionName, predicate: (record: Readonly<T>) => boolean): T[]
  /** Whether any record matches (nothing is copied). */
  some<T>(collection: CollectionName, predicate: (record: Readonly<T>) => boolean): boolean
  /** Applies every change or none (one durable log record). */
  commit(changes: Change[]): void
  close(): void
}
