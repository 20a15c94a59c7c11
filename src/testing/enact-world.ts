/**
 * A whole enacting system in one process, for src/enact's tests: one store backend shared by
 * every "process" (each enactor gets its own Store handle and its own built-in provider
 * objects, as separate processes would), real built-in providers, and per provider a real
 * ZoneFollower feeding a real DnsServer on a loopback port. `check()` is the invariant checker
 * run after every step (TigerBeetle style): every provider's DNS server answers the managed
 * name with at least one address, and neither its SOA serial nor its fenced generation ever
 * goes backwards.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seededRandom, type Random } from '../base/random.js';
import { startDnsServer, type DnsServer } from '../dns/server/dns-server.js';
import { exchange } from '../dns/exchange.js';
import { RRType } from '../dns/wire/constants.js';
import { buildQuery } from '../dns/wire/message.js';
import { rdataToText } from '../dns/wire/rdata-text.js';
import type { EnactContext } from '../enact/enact-context.js';
import type { PlanDraft } from '../plan/plan.js';
import { decodePlan, encodePlan } from '../plan/plan-codec.js';
import { BuiltinProvider } from '../providers/builtin/builtin-provider.js';
import { ZoneFollower } from '../providers/builtin/zone-follower.js';
import { zoneRecordsOf } from '../providers/zone-records.js';
import { oneEndpointDraft } from '../sim/replay/publish-plan.js';
import { openMemoryStore } from '../store/memory/memory-store.js';
import { MemoryKeyValue } from '../store/memory/memory-key-value.js';
import { ManualClock } from '../store/store-contract.js';
import type { Store } from '../store/store.js';

export const WORLD_ZONE = 'demo.test.';
export const WORLD_NAME = 'api.demo.test.';

interface Served {
  readonly server: DnsServer;
  readonly follower: ZoneFollower;
  serial: number | undefined;
  generation: bigint | undefined;
}

export interface ServedState {
  readonly generation: bigint | undefined;
  readonly serial: number;
  readonly addresses: readonly string[];
}

export class EnactWorld {
  readonly kv = new MemoryKeyValue();
  readonly clock = new ManualClock();
  readonly random: Random;
  /** The planner's (and the test's) handle on the store. */
  readonly store: Store;
  private readonly served = new Map<string, Served>();
  private readonly stores: Store[] = [];
  private queryId = 1;

  private constructor(
    readonly seed: number,
    readonly providerIds: readonly string[],
    private readonly dir: string,
  ) {
    this.random = seededRandom(seed);
    this.store = this.openStore();
  }

  static async open(seed: number, providerIds: readonly string[] = ['builtin-east', 'builtin-west']): Promise<EnactWorld> {
    const world = new EnactWorld(seed, providerIds, mkdtempSync(path.join(tmpdir(), 'resolute-enact-')));
    for (const id of providerIds) {
      const follower = await ZoneFollower.open({ store: world.openStore(), provider: id, zones: [WORLD_ZONE], snapshotFile: path.join(world.dir, `${id}.zones`), clock: world.clock });
      const server = await startDnsServer({ address: '127.0.0.1', port: 0, table: follower.table, random: world.random });
      follower.attach(server);
      world.served.set(id, { server, follower, serial: undefined, generation: undefined });
    }
    return world;
  }

  /** What an enactor process named `id` receives: its own store handle and provider objects. */
  context(id: string, providerIds: readonly string[] = this.providerIds): EnactContext {
    const store = this.openStore();
    return {
      clock: this.clock,
      random: this.random,
      store,
      providers: providerIds.map((p) => new BuiltinProvider({ id: p, zones: [WORLD_ZONE], store, by: id })),
      decodePlan,
      zoneRecordsOf,
      id,
    };
  }

  /** The planner: publishes a plan serving `addresses` for WORLD_NAME against the newest plan. */
  async publish(addresses: readonly string[]): Promise<bigint> {
    const head = await this.store.readNewestHeader();
    assert.notEqual(head.kind, 'unavailable');
    const parent = head.kind === 'found' ? head.header.generation : null;
    this.clock.advance(1000);
    const draft = planDraft(parent, this.clock.nowMs(), addresses);
    const outcome = await this.store.publishPlan({ parentGeneration: parent, createdAtMs: draft.createdAtMs, plan: encodePlan(draft) });
    assert.equal(outcome.kind, 'published', `publish: ${JSON.stringify(outcome, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
    return (outcome as { generation: bigint }).generation;
  }

  /**
   * The checker: each provider's DNS server, after its follower caught up, answers WORLD_NAME
   * with addresses, and its SOA serial and fenced generation have not gone backwards.
   */
  async check(): Promise<Map<string, ServedState>> {
    const states = new Map<string, ServedState>();
    for (const [id, served] of this.served) {
      await served.follower.step();
      const generation = served.follower.served.get(WORLD_ZONE);
      const addresses = await this.query(served.server, RRType.A, WORLD_NAME);
      const soa = await this.query(served.server, RRType.SOA, WORLD_ZONE);
      const serial = Number(soa[0]?.split(' ')[2]);
      if (generation !== undefined) {
        assert.ok(addresses.length > 0, `${id} answers ${WORLD_NAME} with no address at generation ${generation} (seed ${this.seed})`);
        assert.ok(served.generation === undefined || generation >= served.generation, `${id} went back from ${served.generation} to ${generation} (seed ${this.seed})`);
        assert.ok(served.serial === undefined || serial >= served.serial, `${id} SOA serial went back from ${served.serial} to ${serial} (seed ${this.seed})`);
        served.generation = generation;
        served.serial = serial;
      }
      states.set(id, { generation, serial, addresses });
    }
    return states;
  }

  async close(): Promise<void> {
    for (const { server } of this.served.values()) await server.close();
    for (const store of this.stores) await store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private openStore(): Store {
    const store = openMemoryStore({ clock: this.clock, random: this.random, keyValue: this.kv });
    this.stores.push(store);
    return store;
  }

  private async query(server: DnsServer, type: number, name: string): Promise<string[]> {
    const result = await exchange(buildQuery(name, type, { id: this.queryId++ & 0xffff }), server);
    return result.response.answers.filter((r) => r.type === type).map((r) => rdataToText(type, r.rdata));
  }
}

/** A plan serving `addresses` (weighted, 100 each) for WORLD_NAME in WORLD_ZONE. */
export function planDraft(parent: bigint | null, createdAtMs: number, addresses: readonly string[]): PlanDraft {
  return oneEndpointDraft({ zone: WORLD_ZONE, name: WORLD_NAME, parent, createdAtMs, addresses });
}

/** A seed from SEED, or a fresh one; printed with the command that replays it (CONVENTIONS rule 15). */
export function testSeed(file: string): number {
  const seed = process.env.SEED === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.SEED);
  process.stdout.write(`seed=${seed} (replay: SEED=${seed} node --test ${file})\n`);
  return seed;
}
