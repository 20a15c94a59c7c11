import type { CheckConfig } from './config.js';

/**
 * The identity of a target for health and planning: what is probed, and how.
 *
 * Two endpoints that list the same address with the same check share one key, so the checker
 * probes it once and a health change re-plans every name that uses it (the planner's index
 * goes key → names). URL-like, so it reads well in reasons and logs:
 * `tcp://127.0.0.1:8081`, `http://127.0.0.1:8081/health`, `https://[2001:db8::1]:443/`,
 * `dns://127.0.0.1:53/api.demo.test./A`, and `static://127.0.0.1` for a target with no check.
 */
export function targetKey(address: string, check: CheckConfig | undefined): string {
  const host = address.includes(':') ? `[${address}]` : address;
  if (check === undefined) return `static://${host}`;
  switch (check.type) {
    case 'tcp':
      return `tcp://${host}:${check.port}`;
    case 'http':
    case 'https':
      return `${check.type}://${host}:${check.port}${check.path}`;
    case 'dns':
      return `dns://${host}:${check.port}/${check.qname}/${check.qtype}`;
  }
}
