import type { Plan } from '../plan/plan.js';
import type { ZoneRecords } from '../providers/provider.js';
import type { ZoneRecordsOf } from './enact-context.js';

/** A zone's records for the plan in hand, computed once however many providers serve the zone. */
export class ZoneRecordsCache {
  private plan: Plan | undefined;
  private byZone = new Map<string, ZoneRecords | undefined>();

  constructor(private readonly zoneRecordsOf: ZoneRecordsOf) {}

  get(plan: Plan, zone: string): ZoneRecords | undefined {
    if (this.plan !== plan) {
      this.plan = plan;
      this.byZone = new Map();
    }
    if (!this.byZone.has(zone)) this.byZone.set(zone, this.zoneRecordsOf(plan, zone));
    return this.byZone.get(zone);
  }
}
