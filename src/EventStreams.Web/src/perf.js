// Responsiveness, as the browser itself measures it: animation frames that took over 50 ms (long-animation-frame), and
// the time from an input (click, key) to the next paint that shows its result (event timing, the basis of INP).

function observe(type, options, onEntry) {
  if (PerformanceObserver.supportedEntryTypes?.includes(type)) {
    new PerformanceObserver((entries) => entries.getEntries().forEach(onEntry)).observe({ type, ...options });
  }
}

export function observeResponsiveness(stats) {
  observe('long-animation-frame', {}, (entry) => {
    if (entry.duration > 50) {
      stats.longFrames++;
      stats.maxLongFrameMs = Math.max(stats.maxLongFrameMs, entry.duration);
      if (stats.longFrameLog.length < 50) {
        stats.longFrameLog.push({ at: Math.round(entry.startTime), ms: Math.round(entry.duration) });
      }
    }
  });
  observe('event', { durationThreshold: 16 }, (entry) => {
    if (entry.interactionId) {
      stats.interactions++;
      stats.maxInteractionMs = Math.max(stats.maxInteractionMs, entry.duration);
    }
  });
}
