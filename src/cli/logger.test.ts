import assert from 'node:assert/strict';
import { test } from 'node:test';
import { channels, type ChannelName } from '../base/events.js';
import { createLogger, EVENT_LINES, logEvents, parseLogLevel } from './logger.js';

function capture(level: Parameters<typeof createLogger>[0]['level'] = 'debug'): { lines: Record<string, unknown>[]; raw: string[]; stop: () => void; logger: ReturnType<typeof createLogger> } {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const write = (text: string): void => {
    raw.push(text);
    lines.push(JSON.parse(text) as Record<string, unknown>);
  };
  const logger = createLogger({ level, role: 'planner,enactor', isPretty: false, destination: { write } });
  return { lines, raw, logger, stop: logEvents(logger) };
}

test('an applied write is one JSON line with its level, role, generation and provider', () => {
  const { lines, raw, stop } = capture('info');
  try {
    channels.enactApplied.publish({ enactor: 'A', provider: 'builtin-east', zone: 'demo.test.', generation: 12n, from: 'generation 11', durationMs: 3 });
  } finally {
    stop();
  }
  assert.equal(lines.length, 1);
  assert.match(raw[0], /^\{.*\}\n$/, 'one line');
  assert.equal(raw[0].match(/"role"/g)?.length, 1, "the event's role replaces the process's, once");
  const line = lines[0];
  assert.equal(line.level, 'info');
  assert.equal(line.msg, 'applied');
  assert.equal(line.role, 'enactor');
  assert.equal(line.generation, '12');
  assert.equal(line.provider, 'builtin-east');
  assert.equal(line.event, 'resolute:enact:applied');
  assert.equal(typeof line.time, 'string');
});

test('every channel of base/events.ts has its own log line, and events below the level are not written', () => {
  const missing = (Object.keys(channels) as ChannelName[]).filter((name) => EVENT_LINES[name] === undefined);
  assert.deepEqual(missing, [], 'add a line for each new channel to EVENT_LINES in cli/logger.ts');
  const { lines, stop } = capture('warn');
  try {
    for (const name of Object.keys(channels) as ChannelName[]) assert.ok(channels[name].hasSubscribers, `${name} is logged`);
    channels.dnsTableSwapped.publish({ version: 3, port: 53 }); // debug
    channels.enactFenced.publish({ enactor: 'B', provider: 'p', zone: 'z.', generation: 4n, current: 'generation 5' }); // warn
  } finally {
    stop();
  }
  assert.deepEqual(lines.map((l) => `${String(l.level)} ${String(l.msg)}`), ["warn write refused by the provider's fence"]);
  assert.equal(channels.enactFenced.hasSubscribers, false, 'unsubscribed');
});

test('a secret passed in a log call is redacted, and an event is never logged whole', () => {
  const { lines, logger, stop } = capture();
  try {
    logger.info({ tsigKey: { name: 'k', secret: 'c2VjcmV0c2VjcmV0c2VjcmV0' } }, 'key loaded');
    channels.xfrTransfer.publish({ zone: 'demo.test.', kind: 'refused', request: 'axfr', remote: '192.0.2.7', rcode: 5, reason: 'BADKEY', secret: 'c2VjcmV0' });
  } finally {
    stop();
  }
  const text = JSON.stringify(lines);
  assert.doesNotMatch(text, /c2VjcmV0/);
  assert.equal(lines[1].level, 'warn');
  assert.equal(lines[1].zone, 'demo.test.');
});

test('a bad --log-level is refused with the list of levels', () => {
  assert.equal(parseLogLevel('DEBUG'), 'debug');
  assert.throws(() => parseLogLevel('verbose'), /--log-level must be one of fatal, error, warn, info, debug, trace, silent, got 'verbose'/);
});
