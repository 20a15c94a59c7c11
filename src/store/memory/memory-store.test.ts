import { runStoreContract } from '../store-contract.js';
import { openMemoryStore } from './memory-store.js';

runStoreContract('memory', async (_dir, { clock, random }) => openMemoryStore({ clock, random }), { isDurable: false });
