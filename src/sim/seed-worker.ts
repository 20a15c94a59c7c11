/** A campaign's worker thread (campaign.ts): runs its stripe of seeds, posts each result. */
import { parentPort, workerData } from 'node:worker_threads';
import { runStripe, type StripeMessage, type StripeRequest } from './campaign.js';

const port = parentPort;
if (port !== null) {
  await runStripe(workerData as StripeRequest, (result) => {
    port.postMessage({ kind: 'seed', result } satisfies StripeMessage);
    return true;
  });
  port.postMessage({ kind: 'done' } satisfies StripeMessage);
}
