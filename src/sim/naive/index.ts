/**
 * The naive 2025 stack (DESIGN: "The problem it solves"; the last bullet of "The safety
 * protocol"): what the simulator (`resolute sim --naive`), `resolute replay` and the tests must
 * catch. Only src/sim/ and test files may import it; `run` and `up` never reach it
 * (test/layers.test.ts checks both).
 *
 * API — every step is an async method the caller drives, so a scheduler can interleave them:
 *
 *   const provider = new NaiveProvider({ id, zones: ['demo.test.'], store });
 *     provider.write(plan)        the unfenced overwrite: each zone now POINTS AT plan.generation
 *     provider.pointedAt(zone)    the generation a zone points at (undefined: never written)
 *     await provider.read(zone)   what the zone serves, derived from the stored plan it points at:
 *                                 'served' | 'plan-deleted' (names EMPTY) | 'unwritten' | 'unavailable'
 *     await provider.table()      every written zone as a real answer table (SOA serial = generation)
 *
 *   const enactor = new NaiveEnactor({ id: 'A', store, provider });
 *     await enactor.read()        newest plan + the ONE check "newer than my last write?", in memory:
 *                                 'holding' (plan kept) | 'not-newer' | 'no-plan' | 'store-unavailable'
 *     ...any pause, any other actor...
 *     await enactor.write()       writes the plan held, nothing re-checked: 'wrote' (with what it
 *                                 overwrote) | 'idle'
 *     await enactor.step()        read() then write(), no pause
 *     enactor.lastApplied / enactor.holding
 *
 *   const cleanup = new NaiveCleanup({ store, enactor, providers: [provider], keepGenerations: 3 });
 *     await cleanup.step()        deletes plans more than keepGenerations below the enactor's last
 *                                 applied one (never the newest): 'deleted' with `emptied` (zones
 *                                 whose plan went, now serving nothing) | 'kept' | 'store-unavailable'
 *
 *   servedTable(zones)            the answer table of zones as served (also used for Resolute's side
 *                                 in the replay), for the real query path dns/server/answer.ts
 */
export { NaiveProvider, type NaiveProviderOptions, type NaiveZoneRead } from './naive-provider.js';
export { NaiveEnactor, type NaiveEnactorOptions, type NaiveRead, type NaiveWrite } from './naive-enactor.js';
export { NaiveCleanup, type NaiveCleanupOptions, type NaiveCleanupStep, type EmptiedZone } from './naive-cleanup.js';
export { servedTable, type ServedZone } from './served-table.js';
