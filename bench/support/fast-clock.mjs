/**
 * A clock preload for benchmark subprocesses (`node --import <this file> dist/cli.js daemon`).
 *
 * It replaces `Date` and the global `setTimeout`/`setInterval` so that the process sees an
 * emulated time that starts at `startMs` and runs `speed` times faster than real time. Timers
 * keep their emulated due time, so a change of pace re-arms every pending timer. Node's own
 * internals (sockets, `timers/promises`) keep the real clock.
 *
 * Settings come as JSON in SELFSNAP_BENCH_CLOCK: `{startMs, anchorRealMs?, speed, jump?}`, with
 * `jump: {heartbeats, statsFile}`. On SIGUSR2 the clock stops running and instead jumps to the
 * due time of the earliest pending timer whenever the process is idle, like a discrete-event
 * simulation. Once node-cron has fired `heartbeats` heartbeat timers it runs at `speed` again and
 * appends what happened to `statsFile` as a JSON line; the next SIGUSR2 starts another jump.
 */
import { appendFileSync } from 'node:fs';
import process from 'node:process';
import { setImmediate } from 'node:timers';

const settings = JSON.parse(process.env.SELFSNAP_BENCH_CLOCK ?? '{}');
const RealDate = Date;
const realNow = RealDate.now;
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

let anchorRealMs = settings.anchorRealMs ?? realNow();
let anchorEmulatedMs = settings.startMs ?? anchorRealMs;
let speed = settings.speed ?? 1;
let jump;
const pending = new Set();
const counters = { timersFired: 0, heartbeats: 0 };

function now() {
  return anchorEmulatedMs + (realNow() - anchorRealMs) * speed;
}

/** Moves the anchor to the current emulated time and runs on at `next` times real time. */
function setPace(next, emulatedMs = now()) {
  anchorEmulatedMs = emulatedMs;
  anchorRealMs = realNow();
  speed = next;
  for (const timer of pending) timer.arm();
}

/** A timer due at an emulated time. It mimics the parts of Node's Timeout that callers use. */
class EmulatedTimer {
  constructor(callback, delayMs, args, repeat) {
    this.callback = callback;
    this.args = args;
    // Node treats a missing, negative or non-numeric delay as 1 ms.
    this.delayMs = Number.isFinite(delayMs) && delayMs >= 1 ? delayMs : 1;
    this.repeat = repeat;
    this.dueMs = now() + this.delayMs;
    this.referenced = true;
    pending.add(this);
    this.arm();
  }

  /** Sets the real timer that fires this one, or leaves it to the jumping loop. */
  arm() {
    if (this.handle !== undefined) realClearTimeout(this.handle);
    this.handle = undefined;
    if (speed === 0) return;
    this.handle = realSetTimeout(() => this.fire(), Math.max(0, (this.dueMs - now()) / speed));
    if (!this.referenced) this.handle.unref();
  }

  fire() {
    counters.timersFired += 1;
    // node-cron 4 names the timer callback of its scheduling loop `heartBeat`.
    if (this.callback.name === 'heartBeat') counters.heartbeats += 1;
    if (this.repeat) {
      this.dueMs = now() + this.delayMs;
      this.arm();
    } else {
      this.cancel();
    }
    this.callback(...this.args);
  }

  cancel() {
    if (this.handle !== undefined) realClearTimeout(this.handle);
    this.handle = undefined;
    pending.delete(this);
  }

  ref() {
    this.referenced = true;
    this.handle?.ref();
    return this;
  }

  unref() {
    this.referenced = false;
    this.handle?.unref();
    return this;
  }

  hasRef() {
    return this.referenced;
  }

  refresh() {
    this.dueMs = now() + this.delayMs;
    pending.add(this);
    this.arm();
    return this;
  }

  close() {
    this.cancel();
    return this;
  }
}

function clearEmulatedTimer(timer) {
  if (timer instanceof EmulatedTimer) timer.cancel();
  else realClearTimeout(timer);
}

function EmulatedDate(...args) {
  if (new.target === undefined) return new RealDate(now()).toString();
  return args.length === 0 ? new RealDate(now()) : new RealDate(...args);
}
EmulatedDate.prototype = RealDate.prototype;
EmulatedDate.now = () => Math.floor(now());
EmulatedDate.parse = RealDate.parse;
EmulatedDate.UTC = RealDate.UTC;

globalThis.Date = EmulatedDate;
globalThis.setTimeout = (callback, delayMs, ...args) =>
  new EmulatedTimer(callback, delayMs, args, false);
globalThis.setInterval = (callback, delayMs, ...args) =>
  new EmulatedTimer(callback, delayMs, args, true);
globalThis.clearTimeout = clearEmulatedTimer;
globalThis.clearInterval = clearEmulatedTimer;

/** Fires the earliest pending timer at its due time, then yields to I/O before the next one. */
function jumpToNextTimer() {
  if (counters.heartbeats - jump.heartbeatsBefore >= settings.jump.heartbeats) {
    finishJumping();
    return;
  }
  let next;
  for (const timer of pending) if (next === undefined || timer.dueMs < next.dueMs) next = timer;
  if (next !== undefined) {
    anchorEmulatedMs = Math.max(anchorEmulatedMs, next.dueMs);
    next.fire();
  }
  // setImmediate lets pending I/O and microtasks run before the next jump, without the 1 ms
  // minimum of a timer.
  setImmediate(jumpToNextTimer);
}

function finishJumping() {
  const cpu = process.cpuUsage(jump.cpuBefore);
  const stats = {
    heartbeats: counters.heartbeats - jump.heartbeatsBefore,
    timersFired: counters.timersFired - jump.timersBefore,
    emulatedMs: now() - jump.emulatedBefore,
    realMs: realNow() - jump.realBefore,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
  jump = undefined;
  setPace(settings.speed ?? 1);
  appendFileSync(settings.jump.statsFile, `${JSON.stringify(stats)}\n`);
}

if (settings.jump !== undefined) {
  process.on('SIGUSR2', () => {
    if (jump !== undefined) return;
    jump = {
      heartbeatsBefore: counters.heartbeats,
      timersBefore: counters.timersFired,
      emulatedBefore: now(),
      realBefore: realNow(),
      cpuBefore: process.cpuUsage(),
    };
    setPace(0);
    setImmediate(jumpToNextTimer);
  });
}
