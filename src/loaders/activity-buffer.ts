import { AccountBuffer } from './account-buffer.js';
import type { ActivityRow } from './row-schemas.js';

/**
 * Activity rows grouped by account (AccountBuffer), packed as two numbers a row (~16 bytes plus
 * ~100 per account): an activity file has ~19 rows per account, and the buffer holds millions.
 */
export class ActivityBuffer extends AccountBuffer<ActivityRow, number> {
  constructor(capacity: number) {
    super(capacity, {
      width: 2,
      pack: (row, into) => {
        into.push(row.hour, row.requests);
      },
      unpack: (accountId, list, at) => ({ kind: 'activity', accountId, hour: list[at]!, requests: list[at + 1]! }),
    });
  }
}
