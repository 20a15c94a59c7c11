import diagnosticsChannel from 'node:diagnostics_channel';

/**
 * Lower layers do not log (CONVENTIONS rule 13): they publish on these channels, and cli/ and
 * api/metrics subscribe. A publish with no subscriber costs one boolean check.
 */
export const channels = {
  dnsServerError: diagnosticsChannel.channel('resolute:dns:server-error'),
  dnsTableSwapped: diagnosticsChannel.channel('resolute:dns:table-swapped'),
} as const;

export type ChannelName = keyof typeof channels;
