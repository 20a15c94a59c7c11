/**
 * One process's view of the shared store: every call of the Store contract travels to the store
 * after a drawn delay, is executed there atomically at that virtual instant, and its answer
 * travels back after another. The request is on the wire once sent (it lands even if its sender
 * crashed, like the 2025 enactor's late write); the answer dies with its process. While the store
 * is down every call answers `unavailable`, as the contract says a store that cannot answer does.
 *
 * A Proxy, so every method of the contract (including ones added later) is delegated; `watch`
 * (a wake-up hint) and `close` go straight through.
 */
import { ResoluteError } from '../base/errors.js';
import type { Store } from '../store/store.js';
import type { Faults } from './faults.js';
import type { Actor, Scheduler } from './scheduler.js';

/** Called at the instant a call executes, around it (the invariant checker's window on the store). */
export interface StoreObserver {
  before(method: string, args: readonly unknown[], actor: Actor): Promise<void>;
  after(method: string, args: readonly unknown[], result: unknown, actor: Actor): Promise<void>;
}

export interface SimStoreOptions {
  readonly backend: Store;
  readonly scheduler: Scheduler;
  readonly actor: Actor;
  readonly faults: Faults;
  readonly observer: StoreObserver;
  readonly trace: ((line: string) => void) | undefined;
}

const DIRECT = new Set<PropertyKey>(['watch', 'close', 'then']);

export function simStore(options: SimStoreOptions): Store {
  const { backend, scheduler, actor, faults, observer, trace } = options;
  const call = (method: string, args: unknown[]): Promise<unknown> =>
    new Promise((resolve) => {
      scheduler.at(faults.delayMs(scheduler.nowMs), undefined, async () => {
        let result: unknown;
        if (faults.isStoreDown(scheduler.nowMs)) {
          result = { kind: 'unavailable', cause: new ResoluteError('ERR_STORE_UNAVAILABLE', 'the simulated store is down', { where: `sim store ${method}` }) };
        } else {
          await observer.before(method, args, actor);
          result = await (backend as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method](...args);
          await observer.after(method, args, result, actor);
        }
        trace?.(`${actor.name} store.${method}${argsText(args)} → ${resultText(result)}`);
        scheduler.at(faults.delayMs(scheduler.nowMs), actor, () => resolve(result));
      });
    });
  return new Proxy(backend, {
    get(target, property) {
      const value = Reflect.get(target, property) as unknown;
      if (typeof value !== 'function' || typeof property !== 'string' || DIRECT.has(property)) return typeof value === 'function' ? value.bind(target) : value;
      return (...args: unknown[]) => call(property, args);
    },
  });
}

function argsText(args: readonly unknown[]): string {
  const first = args[0];
  if (first === undefined || typeof first !== 'object' || first === null) return first === undefined ? '' : `(${String(first)})`;
  const fields: string[] = [];
  for (const [key, value] of Object.entries(first)) {
    if (typeof value === 'bigint' || typeof value === 'string' || typeof value === 'number' || value === null) fields.push(`${key}=${String(value)}`);
    else if (Array.isArray(value)) fields.push(`${key}=[${value.length}]`);
  }
  return `(${fields.join(' ')})`;
}

function resultText(result: unknown): string {
  if (typeof result !== 'object' || result === null) return String(result);
  const r = result as Record<string, unknown>;
  const detail = r.generation ?? r.current ?? (r.header as { generation?: bigint } | undefined)?.generation ?? (r.plan as { header?: { generation?: bigint } } | undefined)?.header?.generation;
  return `${String(r.kind)}${detail === undefined ? '' : ` ${String(detail)}`}`;
}
