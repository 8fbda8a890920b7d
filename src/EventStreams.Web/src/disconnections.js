// Where the connection was lost. Each disconnection (from the first failed attempt until a stream is open again, or
// the reader pauses or stops) is one mark in the list, after the last event taken before it, so that a gap in the
// events is never invisible. The marks are not events: counters, filters, exports and Find leave them alone.

export class Disconnections {
  constructor() {
    this.marks = [];
    this.current = null;
  }

  /**
   * Follows the connection's status at `now`; `lastSeq` is the newest event's position in the store. Returns whether
   * the marks changed.
   */
  status(state, now, lastSeq) {
    if (state === 'retrying') {
      if (this.current) {
        return false;
      }
      this.current = { seq: lastSeq + 0.5, gap: true, from: now, to: null, time: now, raw: '', stream: '', summary: { text: '' } };
      this.marks.push(this.current);
      return true;
    }
    if (this.current && state !== 'connecting') {
      this.current.to = now;
      this.current = null;
      return true;
    }
    return false;
  }

  /** The events with the marks in place (the same array when there are none). */
  merge(events) {
    if (this.marks.length === 0) {
      return events;
    }
    const merged = [];
    let m = 0;
    for (const e of events) {
      while (m < this.marks.length && this.marks[m].seq < e.seq) {
        merged.push(this.marks[m++]);
      }
      merged.push(e);
    }
    while (m < this.marks.length) {
      merged.push(this.marks[m++]);
    }
    return merged;
  }

  /** Forgets the marks before the oldest kept event (`oldestSeq`); returns whether any went. */
  trim(oldestSeq) {
    const before = this.marks.length;
    // The mark just before the oldest kept event stays: the list still starts after that gap.
    this.marks = this.marks.filter((mark) => mark === this.current || mark.seq > oldestSeq - 1);
    return this.marks.length !== before;
  }

  clear() {
    this.marks = [];
    this.current = null;
  }
}

/** A mark in words, with `clock` formatting times: "Disconnected from 10:01:02 to 10:01:20 UTC (18 s)". */
export function markText(mark, clock, zone) {
  if (mark.to === null) {
    return `Disconnected since ${clock(mark.from)} ${zone}: reconnecting…`;
  }
  const seconds = Math.max(0, Math.round((mark.to - mark.from) / 1000));
  return `Disconnected from ${clock(mark.from)} to ${clock(mark.to)} ${zone} (${seconds} s)`;
}
