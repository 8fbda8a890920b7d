// The retained events (the newest `max`, oldest dropped) and the view: those that pass the filters, in arrival order.

export class EventStore {
  constructor(max) {
    this.max = max;
    this.all = [];
    this.view = [];
    this.predicate = null;
    this.nextSeq = 1;
    this.olderSeq = 0; // older events ("Load older") go before the first, with lower numbers
  }

  /** Adds parsed records; returns how many joined the view and how many left the front of the view. */
  add(records, parsedOf) {
    let added = 0;
    for (const r of records) {
      r.seq = this.nextSeq++;
      this.all.push(r);
      if (this.predicate === null || this.predicate(r.raw, () => parsedOf(r))) {
        this.view.push(r);
        added++;
      }
    }
    return { added, dropped: this.trim() };
  }

  trim() {
    const excess = this.all.length - this.max;
    if (excess <= 0) {
      return 0;
    }
    this.all.splice(0, excess);
    const oldest = this.all.length > 0 ? this.all[0].seq : this.nextSeq;
    const dropped = firstIndexAtLeast(this.view, oldest);
    if (dropped > 0) {
      this.view.splice(0, dropped);
    }
    return dropped;
  }

  /** Puts older records (oldest first) before all the others; returns how many joined the front of the view. */
  prepend(records) {
    for (let i = records.length - 1; i >= 0; i--) {
      records[i].seq = this.olderSeq--;
    }
    const shown = this.predicate === null ? records : records.filter((r) => this.predicate(r.raw, () => JSON.parse(r.raw)));
    this.all = records.concat(this.all);
    this.view = shown.concat(this.view);
    return shown.length;
  }

  /** Takes out the records `reject` says; returns how many left the view. */
  remove(reject) {
    const before = this.view.length;
    this.all = this.all.filter((r) => !reject(r));
    this.view = this.view.filter((r) => !reject(r));
    return before - this.view.length;
  }

  setMax(max) {
    this.max = max;
    return this.trim();
  }

  /** Re-filters every retained event (a filter changed). */
  setPredicate(predicate) {
    this.predicate = predicate;
    this.view = predicate === null ? this.all.slice() : this.all.filter((r) => predicate(r.raw, () => JSON.parse(r.raw)));
  }

  clear() {
    this.all = [];
    this.view = [];
  }

  indexOfSeq(seq) {
    const i = firstIndexAtLeast(this.view, seq);
    return i < this.view.length && this.view[i].seq === seq ? i : -1;
  }
}

function firstIndexAtLeast(records, seq) {
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (records[mid].seq < seq) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}
