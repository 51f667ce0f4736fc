import type { Clock } from '../../src/cloud/index.js';

/** The emulator's clock as its control endpoint reports it. */
export interface ClockReading {
  now: string;
  speed: number;
}

/**
 * Builds a Clock that follows an emulator's clock from one reading of it: `now` is the emulated
 * time and `sleep(ms)` lasts `ms` of emulated time. One reading is enough because the emulated
 * clock runs at a constant speed until someone changes it.
 */
export function followClock(reading: ClockReading): Clock {
  const anchorRealMs = Date.now();
  const anchorEmulatedMs = Date.parse(reading.now);
  const speed = reading.speed;
  return {
    now: () => anchorEmulatedMs + (Date.now() - anchorRealMs) * speed,
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        if (signal?.aborted === true) {
          resolve();
          return;
        }
        const timer = setTimeout(done, speed > 0 ? ms / speed : ms);
        signal?.addEventListener('abort', done, { once: true });
        function done() {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        }
      }),
  };
}
