// What identifies an event, to recognise one the page has already taken (a resume's repeats, a second Stream from an
// earlier start): its `meta.id` (with `meta.dt`), as the producer set it; without one, its Kafka position together
// with its exact text, so that a different event at a reused position (a recreated topic) is never taken for a repeat.

/** {key, exact}: `exact` means the text must match too for a repeat; null when nothing identifies the event. */
export function eventIdentity(event) {
  const meta = event?.meta;
  if (meta && typeof meta.id === 'string' && meta.id !== '') {
    return { key: `id\u0000${meta.id}\u0000${meta.dt ?? ''}`, exact: false };
  }
  if (meta && typeof meta.offset === 'number') {
    return { key: `at\u0000${meta.topic}\u0000${meta.partition}\u0000${meta.offset}`, exact: true };
  }
  return null;
}

/**
 * The identities of the newest events taken (as many as `capacity()`, at least all the page can keep). Oldest out
 * first through a queue of keys: a Map's own iteration would scan the holes its deletions leave.
 */
export class SeenEvents {
  constructor(capacity) {
    this.capacity = capacity;
    this.map = new Map(); // key -> text
    this.queue = []; // keys in the order taken; queue[head] is the oldest still counted
    this.head = 0;
  }

  /** Records the event; false when it is a repeat of one already taken. */
  add(identity, text) {
    if (identity === null) {
      return true;
    }
    const known = this.map.get(identity.key);
    if (known !== undefined && (!identity.exact || known === text)) {
      return false;
    }
    if (known === undefined) {
      this.queue.push(identity.key);
    } // else: a different event at a reused position keeps the key's place in the queue, with the newer text
    this.map.set(identity.key, text);
    const capacity = this.capacity();
    while (this.queue.length - this.head > capacity) {
      this.map.delete(this.queue[this.head++]);
    }
    if (this.head > 65_536 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return true;
  }

  clear() {
    this.map.clear();
    this.queue = [];
    this.head = 0;
  }

  get size() {
    return this.map.size;
  }
}
