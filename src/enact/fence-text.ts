import { unreachable } from '../base/assert.js';
import type { Fence } from '../providers/provider.js';

/** A fence as heartbeats and audit entries show it: `41`, `missing`, `unparsable "x"`. */
export function fenceText(fence: Fence): string {
  switch (fence.kind) {
    case 'generation':
      return fence.generation.toString();
    case 'missing':
      return 'missing';
    case 'unparsable':
      return `unparsable ${JSON.stringify(fence.raw.slice(0, 40))}`;
    default:
      return unreachable(fence);
  }
}
