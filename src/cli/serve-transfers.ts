/**
 * Zone transfers in `resolute serve`: the options, the transfer service the server answers
 * AXFR/IXFR with, the journal fed at each reload, NOTIFY to the secondaries, and the log lines.
 *
 * A reload with transfers configured:
 *  1. each zone of the new table is compared with the one served (diffZoneTables);
 *  2. a zone whose data changed but whose SOA serial did not rise (RFC 1982) refuses the whole
 *     reload (ERR_ZONE_SERIAL), as BIND does: secondaries would never pick the change up;
 *  3. the new table is served, its diffs go to the journal (IXFR), and the changed zones are
 *     notified (RFC 1996). With --workers, each worker reports its serials to the primary
 *     process, which notifies once EVERY worker serves the new serial.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import type { Command } from 'commander';
import type { Clock } from '../base/clock.js';
import { ResoluteError } from '../base/errors.js';
import { channels } from '../base/events.js';
import type { Random } from '../base/random.js';
import { rcodeName } from '../dns/wire/constants.js';
import type { ResourceRecord } from '../dns/wire/record.js';
import { parseTsigKey, parseTsigKeyFile, type TsigKey } from '../dns/wire/tsig-key.js';
import { Notifier, type NotifyTarget } from '../dns/xfr/notify.js';
import { isSerialNewer, soaSerial } from '../dns/xfr/soa-serial.js';
import { diffZoneTables, soaRecord, type ZoneDiff } from '../dns/xfr/zone-diff.js';
import { DEFAULT_JOURNAL_VERSIONS, ZoneJournal } from '../dns/xfr/zone-journal.js';
import { AddressRanges, ZoneTransfers } from '../dns/xfr/zone-transfers.js';
import type { ZoneTable } from '../dns/zone/zone-table.js';
import { parseIntegerOption } from './options.js';

export interface TransferOptions {
  readonly transferAllow?: string[];
  readonly tsigKey?: string;
  readonly tsigKeyFile?: string;
  readonly notify?: string[];
  readonly journalVersions: number;
}

export function addTransferOptions(command: Command): Command {
  return command
    .option('--transfer-allow <network>', 'clients allowed to AXFR/IXFR every zone (address or address/prefix; repeat)', collect)
    .option('--tsig-key <name:algorithm:secret>', 'TSIG key (RFC 8945) required of transfers and used to sign NOTIFY')
    .option('--tsig-key-file <file>', 'the same, from a BIND-style key file (tsig-keygen output): keeps the secret out of `ps`')
    .option('--notify <address:port>', 'a secondary to NOTIFY when a zone changes (repeat)', collect)
    .option('--journal-versions <n>', 'versions of each zone kept for IXFR', parseIntegerOption('--journal-versions', 0, 10_000), DEFAULT_JOURNAL_VERSIONS);
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function hasTransfers(options: TransferOptions): boolean {
  return (options.transferAllow?.length ?? 0) > 0 || (options.notify?.length ?? 0) > 0;
}

/** Reads and checks the transfer options; throws a ResoluteError naming the option. */
export function transferConfig(options: TransferOptions): { keys: TsigKey[]; networks: string[]; targets: NotifyTarget[] } {
  if (options.tsigKey !== undefined && options.tsigKeyFile !== undefined) {
    throw new ResoluteError('ERR_USAGE', '--tsig-key and --tsig-key-file are both given', { hint: 'give one of them' });
  }
  let keys: TsigKey[] = [];
  if (options.tsigKey !== undefined) keys = [parseTsigKey(options.tsigKey, '--tsig-key')];
  if (options.tsigKeyFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.tsigKeyFile, 'utf8');
    } catch (error) {
      throw new ResoluteError('ERR_TSIG_KEY', `cannot read the key file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
        where: options.tsigKeyFile,
        hint: 'give the path of a file written by tsig-keygen',
        cause: error,
      });
    }
    keys = parseTsigKeyFile(text, options.tsigKeyFile);
  }
  const networks = options.transferAllow ?? [];
  void new AddressRanges(networks, '--transfer-allow');
  const targets = (options.notify ?? []).map(parseTarget);
  return { keys, networks, targets };
}

function parseTarget(text: string): NotifyTarget {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  const address = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (address === undefined || net.isIP(address) === 0 || port < 1 || port > 65535) {
    throw new ResoluteError('ERR_USAGE', `"${text}" is not address:port`, { where: '--notify', hint: 'write e.g. 192.0.2.53:53 or [2001:db8::53]:53' });
  }
  return { address, port };
}

/** What a worker (or the single process) holds for transfers. */
export interface ServeTransfers {
  readonly transfers: ZoneTransfers;
  /**
   * The diffs from the served table to `next`, checked: throws ERR_ZONE_SERIAL for a zone that
   * changed without a higher serial. Call before serving `next`.
   */
  check(served: ZoneTable, next: ZoneTable): ZoneDiff[];
  /** After the new table is served: journal the diffs and notify (or report to the primary). */
  published(diffs: readonly ZoneDiff[]): void;
  /** At start: notify every zone (secondaries learn the serial of a restarted primary). */
  started(table: ZoneTable): void;
  close(): void;
}

export function startTransfers(
  options: TransferOptions,
  context: { readonly clock: Clock; readonly random: Random; readonly isWorker: boolean },
): ServeTransfers {
  const { keys, networks, targets } = transferConfig(options);
  const key = keys[0];
  const journal = new ZoneJournal(options.journalVersions);
  const transfers = new ZoneTransfers({
    clock: context.clock,
    keys,
    journal,
    aclOf: () => (networks.length === 0 ? undefined : { networks, key }),
  });
  const notifier = context.isWorker ? undefined : new Notifier({ clock: context.clock, random: context.random, key });
  const announce = (soas: readonly ResourceRecord[]): void => {
    if (context.isWorker) {
      process.send?.({ soas: soas.map(soaMessage) });
      return;
    }
    if (targets.length > 0) for (const soa of soas) void notifier?.notify(soa, targets);
  };
  return {
    transfers,
    check(served, next) {
      const diffs: ZoneDiff[] = [];
      for (const zone of next.zones) {
        const old = served.zone(zone.origin);
        if (old === undefined) continue;
        const diff = diffZoneTables(served, next, zone.origin);
        if (diff === undefined) continue;
        const before = soaSerial(old.soa);
        const after = soaSerial(zone.soa);
        if (!isSerialNewer(after, before)) {
          throw new ResoluteError('ERR_ZONE_SERIAL', `zone ${zone.origin} changed but its serial ${after} is not above the served ${before}`, {
            hint: 'raise the SOA serial (RFC 1982) so secondaries transfer the change, then reload again',
          });
        }
        diffs.push(diff);
      }
      return diffs;
    },
    published(diffs) {
      for (const diff of diffs) journal.record(diff);
      announce(diffs.map((d) => d.toSoa));
    },
    started(table) {
      announce(table.zones.map(soaRecord));
    },
    close() {
      notifier?.close();
    },
  };
}

interface SoaMessage {
  readonly name: string;
  readonly ttlSeconds: number;
  readonly rdata: string;
}

function soaMessage(soa: ResourceRecord): SoaMessage {
  return { name: soa.name, ttlSeconds: soa.ttlSeconds, rdata: Buffer.from(soa.rdata).toString('base64') };
}

/**
 * In the primary process of --workers: notifies a zone once every live worker reports the same
 * new serial for it ("NOTIFY goes out only once every server process serves the new serial").
 */
export function startWorkerNotify(
  options: TransferOptions,
  context: { readonly clock: Clock; readonly random: Random; readonly workers: number },
): { report(workerId: number, message: unknown): void; workerGone(workerId: number): void; close(): void } {
  const { keys, targets } = transferConfig(options);
  const notifier = new Notifier({ clock: context.clock, random: context.random, key: keys[0] });
  const served = new Map<number, Map<string, SoaMessage>>();
  const notified = new Map<string, string>();
  const evaluate = (): void => {
    if (served.size < context.workers) return;
    const zones = new Set([...served.values()].flatMap((m) => [...m.keys()]));
    for (const zone of zones) {
      const soas = [...served.values()].map((m) => m.get(zone));
      const first = soas[0];
      if (first === undefined || soas.some((s) => s?.rdata !== first.rdata) || notified.get(zone) === first.rdata) continue;
      notified.set(zone, first.rdata);
      const soa: ResourceRecord = { name: first.name, type: 6, class: 1, ttlSeconds: first.ttlSeconds, rdata: new Uint8Array(Buffer.from(first.rdata, 'base64')) };
      if (targets.length > 0) void notifier.notify(soa, targets);
    }
  };
  return {
    report(workerId, message) {
      const soas = (message as { soas?: SoaMessage[] }).soas;
      if (!Array.isArray(soas)) return;
      const map = served.get(workerId) ?? new Map<string, SoaMessage>();
      for (const soa of soas) map.set(soa.name, soa);
      served.set(workerId, map);
      evaluate();
    },
    workerGone(workerId) {
      served.delete(workerId);
    },
    close() {
      notifier.close();
    },
  };
}

/** Log lines for transfers and NOTIFY (lower layers only publish, CONVENTIONS rule 13). */
export function logTransferEvents(write: (line: string) => void): void {
  channels.xfrTransfer.subscribe((event) => {
    const e = event as Record<string, unknown>;
    if (e.kind === 'refused') {
      write(`transfer refused: ${String(e.request)} of ${String(e.zone)} from ${String(e.remote)}: ${rcodeName(e.rcode as number)} (${String(e.reason)})`);
      return;
    }
    const from = e.fromSerial === undefined ? '' : ` from serial ${String(e.fromSerial)}`;
    const key = e.signedWith === undefined ? '' : `, key ${String(e.signedWith)}`;
    write(`transfer ${String(e.kind)} of ${String(e.zone)}${from} to serial ${String(e.toSerial)} for ${String(e.remote)}: ${String(e.messages)} message(s), ${String(e.records)} record(s)${key}`);
  });
  channels.xfrNotify.subscribe((event) => {
    const e = event as Record<string, unknown>;
    const reason = e.reason === undefined ? '' : `: ${String(e.reason)}`;
    write(`notify ${String(e.zone)} serial ${String(e.serial)} to ${String(e.target)}: ${String(e.outcome)} (attempt ${String(e.attempt)})${reason}`);
  });
}
