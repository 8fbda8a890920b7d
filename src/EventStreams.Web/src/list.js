// A virtualised list: only the rows in sight (plus a margin) exist in the DOM, recycled as the list scrolls.
// Newest at the bottom; while the view is at the bottom it follows new events, like `tail -f`.

import { formatClock, formatDateTime, formatFull, startOfToday, zoneName } from './time.js';
import { markText } from './disconnections.js';

const OVERSCAN = 8;

export class VirtualList {
  constructor(container, spacer, { onSelect, onOpen, stream }) {
    this.container = container;
    this.spacer = spacer;
    this.onSelect = onSelect;
    this.onOpen = onOpen;
    this.streamLabel = stream;
    this.items = [];
    this.rows = [];
    this.selectedSeq = null;
    this.found = null; // Find: a predicate over items to highlight
    this.follow = true;
    this.rowHeight = 26;
    this.scheduled = false;
    container.addEventListener('scroll', () => {
      this.follow = this.atBottom();
      this.schedule();
    }, { passive: true });
    container.addEventListener('click', (e) => {
      const row = e.target.closest('.row');
      if (row && row.dataset.seq) {
        this.select(Number(row.dataset.seq), true);
        container.focus({ preventScroll: true });
      }
    });
    container.addEventListener('keydown', (e) => this.key(e));
    new ResizeObserver(() => this.schedule()).observe(container);
    this.measure();
  }

  measure() {
    const probe = document.createElement('div');
    probe.className = 'row';
    probe.textContent = 'x';
    this.container.appendChild(probe);
    this.rowHeight = probe.getBoundingClientRect().height || 26;
    probe.remove();
  }

  atBottom() {
    const c = this.container;
    return c.scrollTop + c.clientHeight >= c.scrollHeight - this.rowHeight;
  }

  /**
   * The items changed: `dropped` rows left the top (or, negative, older rows joined it); keep what the reader is
   * looking at where it is.
   */
  update(items, dropped = 0) {
    this.items = items;
    const height = items.length * this.rowHeight;
    this.spacer.style.height = `${height}px`;
    if (this.follow) {
      this.container.scrollTop = height;
    } else if (dropped !== 0) {
      this.container.scrollTop = Math.max(0, this.container.scrollTop - dropped * this.rowHeight);
    }
    this.render();
  }

  schedule() {
    if (!this.scheduled) {
      this.scheduled = true;
      requestAnimationFrame(() => {
        this.scheduled = false;
        this.render();
      });
    }
  }

  render() {
    const c = this.container;
    const h = this.rowHeight;
    const first = Math.max(0, Math.floor(c.scrollTop / h) - OVERSCAN);
    const last = Math.min(this.items.length, Math.ceil((c.scrollTop + c.clientHeight) / h) + OVERSCAN);
    // Events from before today show their date too, in a wider time column.
    const today = startOfToday();
    c.parentElement.classList.toggle('dated', first < last && this.items[first].time < today);
    const needed = Math.max(0, last - first);
    while (this.rows.length < needed) {
      const row = document.createElement('div');
      row.className = 'row';
      row.setAttribute('role', 'option');
      row.append(document.createElement('span'), document.createElement('span'), document.createElement('span'));
      row.children[0].className = 'time';
      row.children[1].className = 'stream';
      row.children[2].className = 'summary';
      this.spacer.appendChild(row);
      this.rows.push(row);
    }
    for (let i = 0; i < this.rows.length; i++) {
      const row = this.rows[i];
      const item = i < needed ? this.items[first + i] : undefined;
      if (!item) {
        if (!row.hidden) {
          row.hidden = true;
          row.dataset.seq = '';
          row.removeAttribute('id');
        }
        continue;
      }
      row.hidden = false;
      row.style.transform = `translateY(${(first + i) * h}px)`;
      const seq = String(item.seq);
      if (row.dataset.seq !== seq) {
        row.dataset.seq = seq;
        row.id = `event-${seq}`;
        row.children[0].textContent = item.time < today ? formatDateTime(item.time).slice(5) : formatClock(item.time);
        row.children[0].title = formatFull(item.time);
        row.children[1].textContent = this.streamLabel(item.stream);
        row.children[1].title = item.stream;
        row.children[2].textContent = item.gap ? markText(item, formatClock, zoneName(item.from)) : item.summary.text;
        row.classList.toggle('error', Boolean(item.error));
        row.classList.toggle('canary', Boolean(item.canary));
        row.classList.toggle('gap', Boolean(item.gap));
      }
      const found = this.found !== null && this.found(item);
      if (row.classList.contains('found') !== found) {
        row.classList.toggle('found', found);
      }
      const selected = item.seq === this.selectedSeq;
      if (row.classList.contains('selected') !== selected) {
        row.classList.toggle('selected', selected);
        row.setAttribute('aria-selected', String(selected));
      }
    }
  }

  indexOfSelected() {
    if (this.selectedSeq === null) {
      return -1;
    }
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid].seq < this.selectedSeq) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo < this.items.length && this.items[lo].seq === this.selectedSeq ? lo : -1;
  }

  select(seq, open) {
    this.selectedSeq = seq;
    const index = this.indexOfSelected();
    if (index >= 0) {
      this.container.setAttribute('aria-activedescendant', `event-${seq}`);
      this.onSelect(this.items[index], open);
    }
    this.render();
  }

  selectIndex(index) {
    if (this.items.length === 0) {
      return;
    }
    const i = Math.max(0, Math.min(this.items.length - 1, index));
    const h = this.rowHeight;
    const c = this.container;
    if (i * h < c.scrollTop) {
      c.scrollTop = i * h;
    } else if ((i + 1) * h > c.scrollTop + c.clientHeight) {
      c.scrollTop = (i + 1) * h - c.clientHeight;
    }
    this.follow = this.atBottom() && i === this.items.length - 1;
    this.select(this.items[i].seq, false);
  }

  key(e) {
    const page = Math.max(1, Math.floor(this.container.clientHeight / this.rowHeight) - 1);
    const current = this.indexOfSelected();
    const from = current >= 0 ? current : this.items.length;
    switch (e.key) {
      case 'ArrowDown': this.selectIndex(current >= 0 ? current + 1 : firstVisible(this)); break;
      case 'ArrowUp': this.selectIndex(from - 1); break;
      case 'PageDown': this.selectIndex(from + page); break;
      case 'PageUp': this.selectIndex(from - page); break;
      case 'Home': this.selectIndex(0); break;
      case 'End': this.selectIndex(this.items.length - 1); break;
      case 'Enter': if (current >= 0) { this.onOpen(this.items[current]); } break;
      default: return;
    }
    e.preventDefault();
  }

  /** Scrolls to the item `seq`, selects it and opens it; false when the list does not have it. */
  reveal(seq) {
    this.selectedSeq = seq;
    const index = this.indexOfSelected();
    if (index < 0) {
      return false;
    }
    const c = this.container;
    c.scrollTop = Math.max(0, (index + 0.5) * this.rowHeight - c.clientHeight / 2);
    this.follow = this.atBottom();
    this.select(seq, false);
    this.onOpen(this.items[index]);
    return true;
  }

  /** Rows show new text for the same events (the time zone or the stream labels changed). */
  invalidate() {
    for (const row of this.rows) {
      row.dataset.seq = '';
    }
    this.render();
  }

  scrollToNewest() {
    this.follow = true;
    this.container.scrollTop = this.container.scrollHeight;
    this.schedule();
  }
}


function firstVisible(list) {
  return Math.floor(list.container.scrollTop / list.rowHeight);
}
