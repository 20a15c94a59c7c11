import type { Plan, PlanDraft, PlanReason, PlanZone } from './plan.js';

/** One record that differs between two plans. */
export interface PlanChange {
  /** `+` added, `-` removed, `~` same record with another weight or role. */
  readonly op: '+' | '-' | '~';
  readonly name: string;
  readonly type: string;
  readonly ttlSeconds: number;
  /** The record's value: an address for managed names, presentation rdata for static records. */
  readonly value: string;
  readonly weight?: number;
  readonly previousWeight?: number;
  readonly role?: string;
  readonly reasons: readonly string[];
}

type AnyPlan = Plan | PlanDraft;

/**
 * The record changes from `from` (what is published; undefined for nothing) to `to`, sorted by
 * name, type, value. Shared endpoint buckets are skipped by reference, so diffing a plan against
 * its parent costs the size of the change, not of the plan.
 */
export function diffPlans(from: AnyPlan | undefined, to: AnyPlan): PlanChange[] {
  const changes: PlanChange[] = [];
  const reasonsByTarget = new Map<string, string[]>();
  for (const reason of to.reasons) {
    const key = `${reason.name} ${reason.address ?? ''}`;
    const list = reasonsByTarget.get(key) ?? [];
    list.push(formatReason(reason));
    reasonsByTarget.set(key, list);
  }
  const reasonsOf = (name: string, address: string): string[] => reasonsByTarget.get(`${name} ${address}`) ?? reasonsByTarget.get(`${name} `) ?? [];
  const names = from === undefined ? [...to.endpoints.values()].map((e) => e.name) : [...to.endpoints.changedNames(from.endpoints)];
  for (const name of names) {
    const before = from?.endpoints.get(name);
    const after = to.endpoints.get(name);
    const type = (after ?? before)?.type ?? 'A';
    const old = new Map((before?.records ?? []).map((r) => [r.address, r]));
    const now = new Map((after?.records ?? []).map((r) => [r.address, r]));
    for (const [address, record] of now) {
      const previous = old.get(address);
      const ttlSeconds = after?.ttlSeconds ?? 0;
      if (previous === undefined) {
        changes.push({ op: '+', name, type, ttlSeconds, value: address, weight: record.weight, role: record.role, reasons: reasonsOf(name, address) });
      } else if (previous.weight !== record.weight || previous.role !== record.role || before?.ttlSeconds !== after?.ttlSeconds) {
        changes.push({ op: '~', name, type, ttlSeconds, value: address, weight: record.weight, previousWeight: previous.weight, role: record.role, reasons: reasonsOf(name, address) });
      }
    }
    for (const [address, record] of old) {
      if (!now.has(address)) changes.push({ op: '-', name, type, ttlSeconds: before?.ttlSeconds ?? 0, value: address, weight: record.weight, reasons: reasonsOf(name, address) });
    }
  }
  diffZones(from?.zones ?? [], to.zones, changes);
  return changes.sort(
    (a, b) => compare(a.name, b.name) || compare(a.type, b.type) || compare(a.value, b.value) || compare(a.op === '-' ? '0' : a.op, b.op === '-' ? '0' : b.op),
  );
}

function diffZones(from: readonly PlanZone[], to: readonly PlanZone[], changes: PlanChange[]): void {
  if (from === to) return;
  const line = (r: { name: string; type: string; ttlSeconds: number; value: string }): string => `${r.name} ${r.type} ${r.ttlSeconds} ${r.value}`;
  const records = (zones: readonly PlanZone[]) => zones.flatMap((z) => z.records);
  const before = new Map(records(from).map((r) => [line(r), r]));
  const after = new Map(records(to).map((r) => [line(r), r]));
  for (const [key, r] of after) if (!before.has(key)) changes.push({ op: '+', name: r.name, type: r.type, ttlSeconds: r.ttlSeconds, value: r.value, reasons: ['static record in the config'] });
  for (const [key, r] of before) if (!after.has(key)) changes.push({ op: '-', name: r.name, type: r.type, ttlSeconds: r.ttlSeconds, value: r.value, reasons: ['static record removed from the config'] });
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function formatReason(reason: PlanReason): string {
  return `${reason.rule}: ${reason.detail}`;
}

/**
 * The dry-run text (`resolute plan`), one line per record change, like `terraform plan`:
 * `+ api.demo.test. 30 A 127.0.0.1 weight=100  # health: …`.
 */
export function formatPlanDiff(changes: readonly PlanChange[]): string {
  if (changes.length === 0) return 'no changes\n';
  const lines = changes.map((c) => {
    const weight = c.weight === undefined ? '' : c.op === '~' ? ` weight=${c.previousWeight}→${c.weight}` : ` weight=${c.weight}`;
    const role = c.role === undefined || c.role === 'serving' ? '' : ` (${c.role})`;
    const reasons = c.reasons.length === 0 ? '' : `  # ${c.reasons.join('; ')}`;
    return `${c.op} ${c.name} ${c.ttlSeconds} ${c.type} ${c.value}${weight}${role}${reasons}`;
  });
  return `${lines.join('\n')}\n`;
}
