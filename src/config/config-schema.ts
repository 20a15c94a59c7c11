import { Type, type Static } from '@sinclair/typebox';

/**
 * THE definition of resolute.yaml. From this one value come:
 * - the TypeScript type of the file as written (`ConfigFile`, via TypeBox's `Static`);
 * - the structural validation (load-config.ts runs TypeBox's checker with every error at once);
 * - the JSON Schema shipped in schema/resolute.schema.json for editors (a TypeBox schema *is*
 *   JSON Schema draft 2020-12 compatible; write-json-schema.ts writes it, a test keeps it fresh).
 *
 * Rules that need more than one field (names inside a zone, regions that exist, an IPv6
 * address on an A endpoint) are in normalize-config.ts. `errorMessage` (the ajv-errors keyword)
 * gives the message for values whose failure TypeBox would describe badly (unions, patterns).
 */

const closed = { additionalProperties: false } as const;

/** `1s`, `500ms`, `2m`, `1h`, `1.5s`; zero is refused here (the lookahead), so it is reported with the other schema errors. */
const Duration = (description: string) =>
  Type.String({
    pattern: '^(?!0+(\\.0+)?(ms|s|m|h)$)[0-9]+(\\.[0-9]+)?(ms|s|m|h)$',
    description: `${description} A number and a unit: ms, s, m or h (e.g. 1s, 500ms).`,
    errorMessage: 'must be a positive duration like 1s, 500ms or 2m',
  });

const DnsName = (description: string) =>
  Type.String({ minLength: 1, maxLength: 254, description, errorMessage: 'must be a domain name' });

const TtlSeconds = (description: string) =>
  Type.Integer({ minimum: 0, maximum: 2147483647, description, errorMessage: 'must be a whole number of seconds, 0 or more' });

const Fraction = (description: string) =>
  Type.Number({ exclusiveMinimum: 0, maximum: 1, description, errorMessage: 'must be a number above 0 and at most 1' });

const Count = (description: string) =>
  Type.Integer({ minimum: 1, description, errorMessage: 'must be a whole number, 1 or more' });

/** A string union; `Unsafe` keeps the literal types that a mapped `Union` would widen to string. */
const oneOf = <const T extends readonly string[]>(values: T, description: string) =>
  Type.Unsafe<T[number]>(
    Type.Union(
      values.map((value) => Type.Literal(value)),
      { description, errorMessage: `must be one of ${values.join(', ')}` },
    ),
  );

export const CheckSchema = Type.Object(
  {
    type: oneOf(['tcp', 'http', 'https', 'dns'], 'What to probe: a TCP connect, an HTTP(S) request, or a DNS query.'),
    port: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 65535, description: 'Port to probe; defaults: http 80, https 443, dns 53.', errorMessage: 'must be a port number from 1 to 65535' }),
    ),
    interval: Type.Optional(Duration('Time between probes (default 1s).')),
    timeout: Type.Optional(Duration('A probe that takes longer fails (default 500ms).')),
    rise: Type.Optional(Count('Consecutive successes that mark a down target up (default 2).')),
    fall: Type.Optional(Count('Consecutive failures that mark an up target down (default 2).')),
    method: Type.Optional(oneOf(['GET', 'HEAD', 'POST'], 'HTTP method (default GET).')),
    path: Type.Optional(Type.String({ pattern: '^/', description: 'HTTP path (default /).', errorMessage: 'must start with /' })),
    host: Type.Optional(Type.String({ minLength: 1, description: 'HTTP Host header and TLS server name (default: the address).' })),
    expect_status: Type.Optional(
      Type.Union([Type.Integer({ minimum: 100, maximum: 599 }), Type.String({ pattern: '^[1-5][0-9][0-9](-[1-5][0-9][0-9])?$' })], {
        description: 'Status that counts as healthy: 200, or a range 200-399 (default 200-399).',
        errorMessage: 'must be a status like 200 or a range like 200-399',
      }),
    ),
    body_contains: Type.Optional(Type.String({ minLength: 1, description: 'The body must contain this text.' })),
    tls_verify: Type.Optional(Type.Boolean({ description: 'Verify the HTTPS certificate (default true).', errorMessage: 'must be true or false' })),
    ca_file: Type.Optional(Type.String({ minLength: 1, description: 'PEM file of CA certificates to trust for HTTPS (default: the system store).' })),
    query: Type.Optional(
      Type.Object(
        {
          name: DnsName('Name to ask for.'),
          type: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9]+$', description: 'Record type to ask for (default A).' })),
        },
        { ...closed, description: 'DNS check: the question that must get an answer.' },
      ),
    ),
  },
  { ...closed, description: 'Active health check of one target.' },
);

export const TargetSchema = Type.Object(
  {
    address: Type.String({ minLength: 1, description: 'IPv4 address (A endpoints) or IPv6 address (AAAA endpoints).' }),
    region: Type.Optional(Type.String({ minLength: 1, description: 'Region label, used by the failover policy.' })),
    zone: Type.Optional(Type.String({ minLength: 1, description: 'Availability-zone label (informational).' })),
    weight: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Capacity weight (default 100).', errorMessage: 'must be a positive number' })),
    check: Type.Optional(CheckSchema),
  },
  { ...closed, description: 'One load balancer or host behind an endpoint.' },
);

export const EndpointSchema = Type.Object(
  {
    name: DnsName('The managed name, inside one of the zones.'),
    type: oneOf(['A', 'AAAA'], 'Record type published for the targets.'),
    ttl: Type.Optional(TtlSeconds('TTL of the published records, in seconds (default 30).')),
    policy: Type.Optional(oneOf(['weighted', 'failover', 'multivalue'], 'How healthy targets become records (default weighted).')),
    failover: Type.Optional(
      Type.Object(
        {
          primary: Type.String({ minLength: 1, description: 'Region served while it is healthy enough.' }),
          secondary: Type.String({ minLength: 1, description: 'Region served when the primary is not.' }),
          min_healthy_fraction: Type.Optional(Fraction('Fail over when the primary healthy capacity falls below this fraction (default 0.5).')),
          failback_fraction: Type.Optional(
            Fraction('Fail back when the primary healthy capacity is at or above this fraction (default: min_healthy_fraction + 0.25, at most 1): the hysteresis.'),
          ),
        },
        { ...closed, description: 'Failover policy settings.' },
      ),
    ),
    multivalue: Type.Optional(
      Type.Object({ max_records: Type.Optional(Count('Most records in one answer (default 8).')) }, { ...closed, description: 'Multivalue policy settings.' }),
    ),
    targets: Type.Array(TargetSchema, { description: 'The capacity behind the name.' }),
  },
  { ...closed, description: 'A name whose records Resolute manages.' },
);

export const StaticRecordSchema = Type.Object(
  {
    name: DnsName('Owner name, inside the zone.'),
    type: oneOf(['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'CAA', 'NS', 'SRV'], 'Record type.'),
    ttl: Type.Optional(TtlSeconds('TTL in seconds (default 3600).')),
    value: Type.Optional(Type.String({ description: 'One value in zone-file presentation form, e.g. "10 mail.demo.test".' })),
    values: Type.Optional(Type.Array(Type.String(), { minItems: 1, description: 'Several values of the same RRset.' })),
  },
  { ...closed, description: 'A static record served as it is (MX, TXT, CAA, NS delegations with glue, …).' },
);

export const ZoneSchema = Type.Object(
  {
    apex: DnsName('The zone apex, e.g. demo.test.'),
    nameservers: Type.Array(DnsName('Name server host name.'), { minItems: 1, description: 'The NS records at the apex.' }),
    negative_ttl: Type.Optional(
      TtlSeconds('SOA minimum (default 5): how long a negative answer may be cached, kept short so a wrong empty answer cannot stick.'),
    ),
    hostmaster: Type.Optional(DnsName('SOA RNAME mailbox as a name (default hostmaster.<apex>).')),
    records: Type.Optional(Type.Array(StaticRecordSchema, { description: 'Static records beside the managed names.' })),
  },
  { ...closed, description: 'A DNS zone Resolute is authoritative for.' },
);

export const TsigSchema = Type.Object(
  {
    name: DnsName('Key name, as the server knows it (e.g. resolute-update).'),
    algorithm: Type.Optional(
      oneOf(['hmac-sha1', 'hmac-sha224', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'], 'HMAC algorithm (RFC 8945 §6; default hmac-sha256).'),
    ),
    secret: Type.Optional(Type.String({ minLength: 1, description: 'The shared secret in base64, as tsig-keygen prints it. Prefer secret_file.', errorMessage: 'must be the base64 secret' })),
    secret_file: Type.Optional(
      Type.String({ minLength: 1, description: 'A file holding the secret: a BIND key file (tsig-keygen output) or the bare base64 text; relative to the config file.' }),
    ),
  },
  { ...closed, description: 'TSIG key (RFC 8945) that signs every update, query and transfer; exactly one of secret or secret_file.' },
);

export const ProviderSchema = Type.Object(
  {
    name: Type.String({
      pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$',
      description: 'The provider id: the key of its applied generations in the store and in `resolute status`. The built-in provider is named builtin.',
      errorMessage: 'must be letters, digits, ".", "_" or "-" (at most 63), starting with a letter or digit',
    }),
    type: oneOf(['rfc2136', 'builtin'], 'rfc2136: a DNS server that takes dynamic updates signed with TSIG (BIND, Knot, PowerDNS); builtin: the built-in server.'),
    address: Type.Optional(Type.String({ minLength: 1, description: 'rfc2136: the server\'s IP address; updates, queries and transfers go over TCP.' })),
    port: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 65535, description: 'rfc2136: the server\'s port (default 53).', errorMessage: 'must be a port number from 1 to 65535' }),
    ),
    zones: Type.Array(DnsName('A zone apex from zones.'), { minItems: 1, description: 'The zones this provider publishes; each must be a configured zone (a primary zone on the server).' }),
    tsig: Type.Optional(TsigSchema),
    timeout: Type.Optional(Duration('rfc2136: a server exchange that takes longer fails (default 10s).')),
  },
  { ...closed, description: 'Where zones are published. Zones no provider lists are published by the built-in provider.' },
);

export const ConfigSchema = Type.Object(
  {
    zones: Type.Array(ZoneSchema, { minItems: 1, description: 'The zones.' }),
    endpoints: Type.Array(EndpointSchema, { description: 'The managed names.' }),
    providers: Type.Optional(Type.Array(ProviderSchema, { description: 'Where zones are published (default: every zone on the built-in provider).' })),
    planner: Type.Optional(
      Type.Object(
        {
          velocity: Type.Optional(
            Type.Object(
              {
                max_fraction: Type.Optional(Fraction('Most of an endpoint capacity removed per window (default 0.25).')),
                window: Type.Optional(Duration('The velocity window (default 60s).')),
              },
              { ...closed, description: 'Velocity limit, measured on stored plans.' },
            ),
          ),
          ramp: Type.Optional(
            Type.Object(
              {
                steps: Type.Optional(Count('Steps from first to full weight (default 4).')),
                step: Type.Optional(Duration('Time per step (default 10s).')),
              },
              { ...closed, description: 'Recovery ramp for capacity that comes back.' },
            ),
          ),
          max_delete_fraction: Type.Optional(
            Fraction('A reload that removes more than this fraction of an endpoint targets needs --allow-delete (default 0.5).'),
          ),
        },
        { ...closed, description: 'Planner safety settings.' },
      ),
    ),
    health: Type.Optional(
      Type.Object(
        {
          checkers: Type.Optional(Count('How many checker processes watch every target (default 1).')),
          quorum: Type.Optional(Count('Verdicts that must agree (default: a majority of checkers).')),
          stale_after: Type.Optional(Duration('A checker silent this long is not counted (default 10s).')),
        },
        { ...closed, description: 'Health checker quorum.' },
      ),
    ),
  },
  {
    ...closed,
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Resolute configuration (resolute.yaml)',
    description: 'Zones, managed endpoints and their targets.',
  },
);

/** resolute.yaml as written, before defaults and cross-field rules. */
export type ConfigFile = Static<typeof ConfigSchema>;
export type EndpointFile = Static<typeof EndpointSchema>;
export type TargetFile = Static<typeof TargetSchema>;
export type CheckFile = Static<typeof CheckSchema>;
export type ZoneFile = Static<typeof ZoneSchema>;
export type StaticRecordFile = Static<typeof StaticRecordSchema>;
export type ProviderFile = Static<typeof ProviderSchema>;
