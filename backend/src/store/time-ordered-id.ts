import { randomBytes } from 'node:crypto';

/**
 * UUIDv7 (RFC 9562 §5.7) with a 12-bit counter in `rand_a` (§6.2, method 1), so
 * ids from one generator sort in creation order even within a millisecond.
 * The activity log pages by id, which therefore pages by time. Across replicas
 * the order is by millisecond, which is as good as their clocks.
 */
export function createTimeOrderedIdGenerator(now: () => number = Date.now): () => string {
  let lastMs = -1;
  let counter = 0;
  return () => {
    let ms = now();
    if (ms <= lastMs) {
      ms = lastMs;
      counter++;
      if (counter > 0xfff) {
        // The counter ran out within one millisecond: borrow the next one.
        ms = lastMs + 1;
        counter = 0;
      }
    } else {
      // Start low in the range so a burst within the same millisecond has room to count up.
      counter = randomBytes(1)[0]! & 0x7f;
    }
    lastMs = ms;
    const bytes = randomBytes(16);
    bytes.writeUIntBE(ms, 0, 6);
    bytes[6] = 0x70 | (counter >> 8);
    bytes[7] = counter & 0xff;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
