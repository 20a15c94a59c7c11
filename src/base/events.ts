import diagnosticsChannel from 'node:diagnostics_channel';

/**
 * Lower layers do not log (CONVENTIONS rule 13): they publish on these channels, and cli/ and
 * api/metrics subscribe. A publish with no subscriber costs one boolean check.
 */
export const channels = {
  dnsServerError: diagnosticsChannel.channel('resolute:dns:server-error'),
  dnsTableSwapped: diagnosticsChannel.channel('resolute:dns:table-swapped'),
  /** A zone transfer was answered: { zone, kind, remote, fromSerial, toSerial, messages, records } or refused: { zone, kind: 'refused', remote, reason }. */
  xfrTransfer: diagnosticsChannel.channel('resolute:xfr:transfer'),
  /** A NOTIFY to a secondary: { zone, serial, target, outcome: 'acknowledged' | 'retrying' | 'failed' | 'superseded', attempt, reason }. */
  xfrNotify: diagnosticsChannel.channel('resolute:xfr:notify'),
  /** resolute/client served a last-known-good answer: { hostname, addresses, reason, staleForMs }. */
  clientStale: diagnosticsChannel.channel('resolute:client:stale'),
  /** resolute/client answered a name with an alternate's addresses: { hostname, alternate, addresses, reason }. */
  clientAlternate: diagnosticsChannel.channel('resolute:client:alternate'),
  /** A health checker saw a target change state: { checkerId, target, from, to, atMs, detail }. */
  healthTransition: diagnosticsChannel.channel('resolute:health:transition'),
  /** The planner computed a plan that differs from its parent: { parentGeneration, changedNames, reasons, durationMs }. */
  planComputed: diagnosticsChannel.channel('resolute:plan:computed'),
  /** A plan won the store's compare-and-set: { generation, parentGeneration, by, changedNames, reason } (by: `planner`, `rollback`, an enactor's jump). */
  planPublished: diagnosticsChannel.channel('resolute:plan:published'),
  /** An enactor's fenced write was published: { enactor, provider, zone, generation, from, durationMs } (durationMs: the provider's apply call). */
  enactApplied: diagnosticsChannel.channel('resolute:enact:applied'),
  /** A provider refused an enactor's write (its fence moved): { enactor, provider, zone, generation, current }. */
  enactFenced: diagnosticsChannel.channel('resolute:enact:fenced'),
  /** Reconcile found a zone that differs from the newest plan and rewrote it: { enactor, provider, zone, reason, generation }. */
  enactRepaired: diagnosticsChannel.channel('resolute:enact:repaired'),
} as const;

export type ChannelName = keyof typeof channels;
