/**
 * What each simulated server serves, as the invariant checker sees it (invariants.ts ZoneView):
 *
 * | server | generation | serial | addresses |
 * |---|---|---|---|
 * | a DNS process (the real ZoneFollower) | the generation it follows | its table's SOA | real queries through THE query path (dns/server/answer.ts) |
 * | the built-in provider (the store) | the zone's applied generation | zoneSerial of the stored meta | the stored record sets |
 * | the RFC 2136 server model | its marker (the lowest over groups) | its SOA | its A/AAAA RRsets |
 * | the naive 2025 provider | the plan it points at | — | that plan's records, none once it is deleted |
 */
import { seededRandom } from '../base/random.js';
import { RRType, Rcode } from '../dns/wire/constants.js';
import { buildQuery, parseMessage, serializeMessage } from '../dns/wire/message.js';
import { answerQuery, type AnswerState } from '../dns/server/answer.js';
import { Transport } from '../dns/server/transport.js';
import { soaSerial } from '../dns/xfr/soa-serial.js';
import type { ZoneTable } from '../dns/zone/zone-table.js';
import type { Plan } from '../plan/plan.js';
import { decodeServedRRsets } from '../providers/builtin/record-set-codec.js';
import { zoneSerial } from '../providers/builtin/soa-serial.js';
import { decodeZoneMeta, ZONE_META_NAME } from '../providers/builtin/zone-meta.js';
import { fenceOfMarker, groupCountOf, groupMarkerName, markerName, zoneFenceOf } from '../providers/rfc2136/marker.js';
import { zoneRecordsOf } from '../providers/zone-records.js';
import type { RecordSetsRead } from '../store/store.js';
import type { ZoneView } from './invariants.js';
import type { Rfc2136ServerModel } from './rfc2136-server-model.js';

/** Managed names per zone: what "never empty" is about. */
export type ManagedNames = ReadonlyMap<string, readonly string[]>;

const answerRandom = seededRandom(1);
const queries = new Map<string, Uint8Array>();

function addressQuery(name: string): Uint8Array {
  let bytes = queries.get(name);
  if (bytes === undefined) {
    bytes = serializeMessage(buildQuery(name, RRType.A, { id: 1 }));
    queries.set(name, bytes);
  }
  return bytes;
}

/** A DNS process's table, per zone it serves (a zone still SERVFAIL, never loaded, is left out). */
export function tableViews(table: ZoneTable, served: ReadonlyMap<string, bigint>, managed: ManagedNames): Map<string, ZoneView> {
  const state: AnswerState = { table, limits: { udpPayloadMax: 1232, random: answerRandom }, chaos: new Map() };
  const views = new Map<string, ZoneView>();
  for (const [zone, names] of managed) {
    const zoneState = table.zone(zone);
    if (zoneState === undefined || zoneState.servfail !== undefined) continue;
    const addresses = new Map<string, number>();
    for (const name of names) {
      const response = answerQuery(addressQuery(name), state, Transport.TCP);
      const parsed = response === null ? undefined : parseMessage(response);
      addresses.set(name, parsed === undefined || parsed.rcode === Rcode.SERVFAIL ? 0 : parsed.answers.filter((r) => r.type === RRType.A).length);
    }
    views.set(zone, { generation: served.get(zone), serial: soaSerial(zoneState.soa), addresses });
  }
  return views;
}

/** The built-in provider's zone as stored (a whole-zone read of the record sets). */
export function storedView(read: RecordSetsRead, zone: string, names: readonly string[]): ZoneView | undefined {
  if (read.kind !== 'found') return undefined;
  const addresses = new Map<string, number>(names.map((n) => [n, 0]));
  let serial: number | undefined;
  for (const change of read.changes) {
    if (change.value === null) continue;
    if (change.name === ZONE_META_NAME) {
      const meta = decodeZoneMeta(zone, change.value);
      serial = zoneSerial(meta.serialBase, meta.changedGeneration);
    } else if (addresses.has(change.name)) {
      addresses.set(change.name, decodeServedRRsets(change.name, change.value).reduce((n, r) => n + (r.type === RRType.A ? r.rdatas.length : 0), 0));
    }
  }
  return { generation: read.generation, serial, addresses };
}

/** The RFC 2136 server's zone: its marker's generation (undefined when missing or unparsable). */
export function modelView(model: Rfc2136ServerModel, zone: string, names: readonly string[]): ZoneView {
  const fence = modelFence(model, zone);
  return {
    generation: fence,
    serial: model.zones.get(zone)?.serial,
    addresses: new Map(names.map((n) => [n, model.addressCount(zone, n)])),
  };
}

export function modelFence(model: Rfc2136ServerModel, zone: string): bigint | undefined {
  const apex = model.txt(zone, markerName(zone));
  const groups = groupCountOf(apex);
  const fence = groups === 1 ? fenceOfMarker(apex) : zoneFenceOf(Array.from({ length: groups }, (_, i) => fenceOfMarker(model.txt(zone, groupMarkerName(zone, i)))));
  return fence.kind === 'generation' ? fence.generation : undefined;
}

/** A plan's addresses per managed name of `zone` (what a provider pointing at it serves). */
export function planAddresses(plan: Plan, zone: string, names: readonly string[]): Map<string, number> {
  const records = zoneRecordsOf(plan, zone);
  return new Map(names.map((n) => [n, (records?.names.get(n) ?? []).reduce((sum, r) => sum + (r.type === RRType.A ? r.rdatas.length : 0), 0)]));
}
