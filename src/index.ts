/**
 * The package entry point (`import … from 'resolute'`): the pieces a program embeds — the
 * authoritative server and its tables, zone files, the configuration, one DNS exchange. The
 * resilient resolver is `resolute/client`; everything else runs through the `resolute` command.
 */
export { startDnsServer, type DnsServer, type DnsServerOptions } from './dns/server/dns-server.js';
export { buildZoneTable, updateZoneTable, setZoneAvailability, type ZoneContent, type NameChange } from './dns/zone/table-builder.js';
export type { ZoneTable, ServedRRset } from './dns/zone/zone-table.js';
export { loadZoneFile, parseMasterFile } from './dns/zone/master-file.js';
export { buildZone, type Zone } from './dns/zone/zone.js';
export { exchange, type ExchangeOptions, type ExchangeResult } from './dns/exchange.js';
export { buildQuery, parseMessage, serializeMessage, type Message } from './dns/wire/message.js';
export { loadConfig, parseConfig } from './config/load-config.js';
export type { Config } from './config/config.js';
export { ResoluteError, ResoluteErrorList } from './base/errors.js';
