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

/** The identities of the newest events taken (as many as `capacity()`, at least all the page can keep). */
export class SeenEvents {
  constructor(capacity) {
    this.capacity = capacity;
    this.map = new Map(); // key -> text (insertion order = age)
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
    this.map.delete(identity.key);
    this.map.set(identity.key, text);
    const capacity = this.capacity();
    while (this.map.size > capacity) {
      this.map.delete(this.map.keys().next().value);
    }
    return true;
  }

  clear() {
    this.map.clear();
  }

  get size() {
    return this.map.size;
  }
}
