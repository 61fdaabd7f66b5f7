import { createHash } from 'node:crypto';

/**
 * The shards of the admins' lists on gsi4 (store/table.ts): an item goes to shard
 * hash(id) % ALL_SHARDS, a fixed number that never depends on configuration, and every list
 * reads all ALL_SHARDS shards, so no item is ever in a shard nobody reads and no single partition
 * takes every write. Changing the number would strand items: it is part of the key format.
 */
export const ALL_SHARDS = 4;

/** The shard of an item's id, 0 .. ALL_SHARDS - 1. */
export const allShardOf = (id: string): number =>
  createHash('sha1').update(id).digest().readUInt16BE(0) % ALL_SHARDS;

/** Every shard number, 0 .. ALL_SHARDS - 1. */
export const allShards = (): number[] => Array.from({ length: ALL_SHARDS }, (_, i) => i);
