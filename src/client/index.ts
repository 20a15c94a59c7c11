/**
 * resolute/client — the package entry (the one barrel CONVENTIONS allows): a resolver for Node
 * applications that keeps a name working when its authority suddenly answers "nothing".
 */
export { createResolver } from './create-resolver.js';
export type { DnsLookup, Resolver, ResolverCounters, ResolvedAddress } from './create-resolver.js';
export type { ResolverOptions } from './resolver-options.js';
export type { ConnectOutcome } from './connect-penalties.js';
export type { DnsError } from './lookup-error.js';
export type { FailureKind } from './failure.js';
export { ResoluteAgent, type ResoluteAgentOptions } from './resolute-agent.js';
export { ResoluteHttpsAgent, type ResoluteHttpsAgentOptions } from './resolute-https-agent.js';
export { createConnector, type Connector, type ConnectorCall, type ConnectorOptions } from './create-connector.js';
export { parseResolvConf, type ResolvConf } from './resolv-conf.js';
export { parseHostsFile, type HostsTable, type HostsEntry } from './hosts-file.js';
