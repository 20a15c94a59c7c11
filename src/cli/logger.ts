/**
 * Structured logs (CONVENTIONS rule 13: lower layers publish diagnostics_channel events; cli/
 * subscribes and logs). One JSON line per event on stderr — `level`, `time`, `role`, and
 * `generation` (a string: generations are 64-bit) and `provider` where the event knows them —
 * or pino-pretty's human-readable form when stderr is a terminal.
 *
 * Secrets never reach a line: each channel's fields are picked one by one below (no event is
 * logged whole), and pino's redaction removes any `secret`, `tsigKey`, `token` or `password`
 * field a caller passes by mistake.
 */
import { InvalidArgumentError, type Command } from 'commander';
import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import { channels, type ChannelName } from '../base/events.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A commander parser for `--log-level`, with a message that lists the levels. */
export function parseLogLevel(value: string): LogLevel {
  const level = LOG_LEVELS.find((l) => l === value.trim().toLowerCase());
  if (level === undefined) throw new InvalidArgumentError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${value}'.`);
  return level;
}

/** Adds `--log-level <level>` (default info) to a subcommand. */
export function addLogLevelOption(command: Command): Command {
  return command.option('--log-level <level>', `log level: ${LOG_LEVELS.join(', ')}`, parseLogLevel, 'info');
}

export interface LoggerOptions {
  readonly level: LogLevel;
  /** The process's role(s), e.g. `planner,enactor`, or `operator` for a one-shot command. */
  readonly role: string;
  /** Default: human-readable when stderr is a terminal, JSON lines otherwise. */
  readonly isPretty?: boolean;
  /** Default: stderr (synchronous, so a line written just before exit is not lost). Tests pass a stream. */
  readonly destination?: DestinationStream;
}

const REDACT = ['secret', '*.secret', '*.*.secret', 'tsigKey', '*.tsigKey', 'token', '*.token', 'password', '*.password'];

export function createLogger(options: LoggerOptions): Logger {
  const isPretty = options.isPretty ?? process.stderr.isTTY === true;
  const destination =
    options.destination ?? (isPretty ? pinoPretty({ destination: 2, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }) : pino.destination({ dest: 2, sync: true }));
  return pino(
    {
      level: options.level,
      base: { pid: process.pid },
      // The process's role as a default that an event's own role (`enactor` in a process running
      // several roles) replaces: a mixin merges into the line's object, so `role` appears once.
      mixin: () => ({ role: options.role }),
      timestamp: pino.stdTimeFunctions.isoTime,
      // The level as a word: greppable and what log pipelines expect ("level":"warn", not 40).
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT, censor: '[redacted]' },
    },
    destination,
  );
}

/** One log line of an event: its level, message and chosen fields. */
interface EventLine {
  readonly level: Level;
  readonly msg: string;
  readonly fields: Record<string, unknown>;
}

type Event = Record<string, unknown>;
const gen = (value: unknown): string | undefined => (value === undefined || value === null ? undefined : String(value));

/** How each channel is logged. A channel missing here is logged by `fallbackLine` (a test lists them). */
export const EVENT_LINES: Partial<Record<ChannelName, (e: Event) => EventLine>> = {
  dnsServerError: (e) => ({ level: 'warn', msg: 'dns server error', fields: { role: 'dns', transport: e.transport, remote: e.remote, err: e.error } }),
  dnsTableSwapped: (e) => ({ level: 'debug', msg: 'dns table swapped', fields: { role: 'dns', version: gen(e.version), port: e.port } }),
  xfrTransfer: (e) =>
    e.kind === 'refused'
      ? { level: 'warn', msg: 'zone transfer refused', fields: { role: 'dns', zone: e.zone, request: e.request, remote: e.remote, rcode: e.rcode, reason: e.reason } }
      : { level: 'info', msg: 'zone transfer', fields: { role: 'dns', zone: e.zone, kind: e.kind, remote: e.remote, fromSerial: e.fromSerial, toSerial: e.toSerial, messages: e.messages, records: e.records } },
  xfrNotify: (e) => ({
    level: e.outcome === 'failed' ? 'warn' : e.outcome === 'retrying' ? 'info' : 'debug',
    msg: `notify ${String(e.outcome)}`,
    fields: { role: 'dns', zone: e.zone, serial: e.serial, target: e.target, attempt: e.attempt, reason: e.reason },
  }),
  clientStale: (e) => ({ level: 'warn', msg: 'client served a last-known-good answer', fields: { hostname: e.hostname, addresses: e.addresses, reason: e.reason, staleForMs: e.staleForMs } }),
  clientAlternate: (e) => ({ level: 'warn', msg: 'client answered with an alternate name', fields: { hostname: e.hostname, alternate: e.alternate, addresses: e.addresses, reason: e.reason } }),
  healthTransition: (e) => ({
    level: e.to === 'down' ? 'warn' : 'info',
    msg: `target ${String(e.to)}`,
    fields: { role: 'health', checkerId: e.checkerId, target: e.target, from: e.from, to: e.to, detail: e.detail },
  }),
  planComputed: (e) => {
    const reasons = Array.isArray(e.reasons) ? (e.reasons as { name: string; rule: string; detail: string }[]) : [];
    // The first reasons say why; a plan of 100,000 names must not make a megabyte line.
    return {
      level: 'info',
      msg: 'plan computed',
      fields: { role: 'planner', parentGeneration: gen(e.parentGeneration), changedNames: e.changedNames, durationMs: e.durationMs, reasons: reasons.slice(0, 20).map((r) => `${r.name} ${r.rule}: ${r.detail}`), reasonCount: reasons.length },
    };
  },
  planPublished: (e) => ({ level: 'info', msg: 'plan published', fields: { role: 'planner', generation: gen(e.generation), parentGeneration: gen(e.parentGeneration), by: e.by, changedNames: e.changedNames, reason: e.reason } }),
  enactApplied: (e) => ({ level: 'info', msg: 'applied', fields: { role: 'enactor', enactor: e.enactor, provider: e.provider, zone: e.zone, generation: gen(e.generation), from: e.from, durationMs: e.durationMs } }),
  enactFenced: (e) => ({ level: 'warn', msg: "write refused by the provider's fence", fields: { role: 'enactor', enactor: e.enactor, provider: e.provider, zone: e.zone, generation: gen(e.generation), current: e.current } }),
  enactRepaired: (e) => ({ level: 'warn', msg: 'repaired drift', fields: { role: 'enactor', enactor: e.enactor, provider: e.provider, zone: e.zone, reason: e.reason, generation: gen(e.generation) } }),
};

/** A channel added later with no line above: its plain fields, minus anything that could be a secret. */
function fallbackLine(name: string, event: unknown): EventLine {
  const fields: Record<string, unknown> = {};
  if (typeof event === 'object' && event !== null) {
    for (const [key, value] of Object.entries(event)) {
      if (/secret|key|token|password/i.test(key)) continue;
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[key] = value;
      else if (typeof value === 'bigint') fields[key] = String(value);
    }
  }
  return { level: 'debug', msg: name, fields };
}

/**
 * Subscribes to every channel of base/events.ts and logs each event at its level. Returns the
 * unsubscribe. A logging failure never reaches the publisher (a lower layer must not fail
 * because a log line could not be written).
 */
export function logEvents(logger: Logger): () => void {
  const subscriptions: [ChannelName, (message: unknown) => void][] = [];
  for (const name of Object.keys(channels) as ChannelName[]) {
    const line = EVENT_LINES[name];
    const onMessage = (message: unknown): void => {
      try {
        const { level, msg, fields } = line === undefined ? fallbackLine(name, message) : line(message as Event);
        logger[level]({ event: channels[name].name, ...fields }, msg);
      } catch {
        // A malformed event is not worth failing the publisher for.
      }
    };
    channels[name].subscribe(onMessage);
    subscriptions.push([name, onMessage]);
  }
  return () => {
    for (const [name, onMessage] of subscriptions) channels[name].unsubscribe(onMessage);
  };
}
