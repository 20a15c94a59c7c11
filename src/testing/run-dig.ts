/**
 * Runs the real `dig` (bind9-dnsutils) and `kdig` (knot-dnsutils) against a server and reads
 * their output back into values a test can compare: the header, the EDNS pseudo-section, and
 * each section's records in presentation format, one string per record with single spaces
 * between owner, TTL, class, type and rdata (`api.interop.test. 30 IN A 192.0.2.10`) — the rdata
 * exactly as the tool printed it, so a TXT's quoted spaces survive.
 */
import { execFile } from 'node:child_process';

export interface DigServer {
  readonly address: string;
  readonly port: number;
}

export interface DigEdns {
  readonly version: number;
  readonly udpSize: number;
  /** EDNS flags as printed (`do`), empty when none. */
  readonly flags: readonly string[];
}

/** One DNS response as dig or kdig printed it. */
export interface DigResponse {
  readonly opcode: string;
  /** NOERROR, NXDOMAIN, REFUSED, FORMERR, NOTIMP, BADVERS, … */
  readonly status: string;
  readonly id: number;
  /** Header flags in lower case, sorted: `['aa', 'qr', 'rd']`. */
  readonly flags: readonly string[];
  readonly counts: { readonly question: number; readonly answer: number; readonly authority: number; readonly additional: number };
  /** `name. CLASS TYPE`, the name with its case as printed. */
  readonly question: readonly string[];
  readonly answer: readonly string[];
  readonly authority: readonly string[];
  readonly additional: readonly string[];
  readonly edns: DigEdns | undefined;
  /** The whole output of the tool, for assertion messages. */
  readonly text: string;
}

export type DigTool = 'dig' | 'kdig';

/** Runs a tool and returns its stdout; rejects with stdout and stderr when it exits non-zero. */
export function runTool(tool: string, args: readonly string[], timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(tool, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null) {
        reject(new Error(`${tool} ${args.join(' ')} failed: ${error.message}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
        return;
      }
      resolve(stdout);
    });
  });
}

/**
 * `dig @server -p port <args>` with one try and a short timeout (the server is on loopback),
 * parsed. `args` are the query and dig options (`api.interop.test`, `A`, `+tcp`, …).
 */
export async function dig(server: DigServer, args: readonly string[]): Promise<DigResponse> {
  const text = await runTool('dig', [`@${server.address}`, '-p', String(server.port), '+tries=1', '+time=3', ...args]);
  return parseDigOutput(text);
}

/** `kdig @server -p port <args>`, parsed. */
export async function kdig(server: DigServer, args: readonly string[]): Promise<DigResponse> {
  const text = await runTool('kdig', [`@${server.address}`, '-p', String(server.port), '+retry=0', '+time=3', ...args]);
  return parseDigOutput(text);
}

/**
 * dig's `-f` batch mode: one dig process sends every line of `lines` (each a query with its
 * options) in turn, so thousands of queries cost one process start. Returns the answer-section
 * records of each response, in order (dig's `+noall +answer` output gives no separator between
 * responses, so each query line must get exactly one answer record, e.g. `pick: 1`).
 */
export async function digBatchAnswers(server: DigServer, lines: readonly string[]): Promise<string[]> {
  const { writeFile, mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'resolute-dig-batch-'));
  try {
    const file = join(dir, 'queries');
    await writeFile(file, `${lines.join('\n')}\n`);
    const text = await runTool(
      'dig',
      [`@${server.address}`, '-p', String(server.port), '+tries=1', '+time=3', '+noall', '+answer', '-f', file],
      120_000,
    );
    return text.split('\n').filter((line) => line.length > 0 && !line.startsWith(';')).map(recordLine);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A record line as printed (fields separated by tabs) → single spaces, rdata untouched. */
export function recordLine(line: string): string {
  const m = /^(\S+)\s+(\d+)\s+(\S+)\s+(\S+)\s*(.*)$/.exec(line.trim());
  if (m === null) throw new Error(`not a record line: ${JSON.stringify(line)}`);
  return `${m[1]} ${m[2]} ${m[3]} ${m[4]}${m[5] === '' ? '' : ` ${m[5]}`}`;
}

const SECTIONS = {
  'QUESTION SECTION:': 'question',
  'ANSWER SECTION:': 'answer',
  'AUTHORITY SECTION:': 'authority',
  'ADDITIONAL SECTION:': 'additional',
} as const;

/**
 * Reads the first response in dig's or kdig's default output. Both print
 * `->>HEADER<<- opcode: X, status: Y, id: N` (kdig with `;`), a flags line, the EDNS
 * pseudo-section, then `;; <NAME> SECTION:` blocks.
 */
export function parseDigOutput(text: string): DigResponse {
  const header = /->>HEADER<<- opcode: (\w+)[,;] status: (\w+)[,;] id: (\d+)/.exec(text);
  if (header === null) throw new Error(`no response in the output:\n${text}`);
  const flagLine = /;; flags: ([a-z ]*); QUERY: (\d+)[,;] ANSWER: (\d+)[,;] AUTHORITY: (\d+)[,;] ADDITIONAL: (\d+)/i.exec(text);
  if (flagLine === null) throw new Error(`no flags line in the output:\n${text}`);
  const sections: Record<'question' | 'answer' | 'authority' | 'additional', string[]> = {
    question: [],
    answer: [],
    authority: [],
    additional: [],
  };
  let current: keyof typeof sections | undefined;
  // Only the first response: a second ->>HEADER<<- (dig +ignore retries, +tcp fallbacks) ends it.
  const start = header.index;
  const next = text.indexOf('->>HEADER<<-', start + 1);
  for (const rawLine of text.slice(start, next < 0 ? undefined : next).split('\n')) {
    const line = rawLine.trim();
    const section = Object.entries(SECTIONS).find(([title]) => line.endsWith(title));
    if (section !== undefined && line.startsWith(';;')) {
      current = section[1];
      continue;
    }
    if (line === '' || (line.startsWith(';;') && current !== 'question')) {
      if (line === '') current = undefined;
      continue;
    }
    if (current === 'question') {
      const q = /^;+\s*(\S+)\s+(\S+)\s+(\S+)$/.exec(line);
      if (q !== null) sections.question.push(`${q[1]} ${q[2]} ${q[3]}`);
      continue;
    }
    if (current !== undefined && !line.startsWith(';')) sections[current].push(recordLine(line));
  }
  return {
    opcode: header[1],
    status: header[2],
    id: Number(header[3]),
    flags: flagLine[1].trim().split(/\s+/).filter((f) => f !== '').map((f) => f.toLowerCase()).sort(),
    counts: {
      question: Number(flagLine[2]),
      answer: Number(flagLine[3]),
      authority: Number(flagLine[4]),
      additional: Number(flagLine[5]),
    },
    question: sections.question,
    answer: sections.answer,
    authority: sections.authority,
    additional: sections.additional,
    edns: parseEdns(text),
    text,
  };
}

function parseEdns(text: string): DigEdns | undefined {
  // dig: `; EDNS: version: 0, flags: do; udp: 1232`
  const d = /; EDNS: version: (\d+), flags:([a-z ]*); udp: (\d+)/.exec(text);
  if (d !== null) return { version: Number(d[1]), udpSize: Number(d[3]), flags: d[2].trim().split(/\s+/).filter((f) => f !== '') };
  // kdig: `;; Version: 0; flags: ; UDP size: 1232 B; ext-rcode: NOERROR`
  const k = /;; Version: (\d+); flags:([a-z ]*); UDP size: (\d+) B/.exec(text);
  if (k !== null) return { version: Number(k[1]), udpSize: Number(k[3]), flags: k[2].trim().split(/\s+/).filter((f) => f !== '') };
  return undefined;
}
