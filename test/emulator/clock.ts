/** Settings of the emulated clock: an offset from real time and how fast it runs. */
export interface ClockSettings {
  offsetMs?: number;
  speed?: number;
}

/** Snapshot of the emulated clock for the control endpoint. */
export interface ClockState {
  now: string;
  offsetMs: number;
  speed: number;
}

/**
 * Emulated time that every time-dependent rule reads (tokens, credentials, request dates, snapshot
 * progress, flow-control windows). It can be offset from real time, run faster or slower, and jump.
 */
export class EmulatedClock {
  private anchorRealMs = Date.now();
  private anchorMs = this.anchorRealMs;
  private speed = 1;

  constructor(settings: ClockSettings = {}) {
    this.set(settings);
  }

  /** Returns the emulated time in milliseconds since the epoch. */
  now(): number {
    return this.anchorMs + (Date.now() - this.anchorRealMs) * this.speed;
  }

  /** Sets the offset from real time (from this moment on) and the speed, each when given. */
  set(settings: ClockSettings): void {
    const current = this.now();
    this.anchorRealMs = Date.now();
    this.anchorMs =
      settings.offsetMs === undefined ? current : this.anchorRealMs + settings.offsetMs;
    if (settings.speed !== undefined) {
      if (!(settings.speed >= 0)) throw new RangeError(`invalid clock speed ${settings.speed}`);
      this.speed = settings.speed;
    }
  }

  /** Moves the emulated time forward by `ms` milliseconds (backward when negative). */
  advance(ms: number): void {
    this.set({ offsetMs: this.now() + ms - Date.now() });
  }

  state(): ClockState {
    const now = this.now();
    return { now: new Date(now).toISOString(), offsetMs: now - Date.now(), speed: this.speed };
  }
}
