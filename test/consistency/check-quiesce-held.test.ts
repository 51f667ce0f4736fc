import { describe, expect, it } from 'vitest';
import { checkQuiesceHeld, type ReleaseResult } from '../../src/consistency/index.js';
import { SelfsnapError } from '../../src/errors/index.js';

const WINDOW = { mountpoints: ['/data'], frozenAt: '2026-12-04T03:00:00.000Z', durationMs: 800 };
const HELD: ReleaseResult = { freezeWindow: { ...WINDOW, expired: false }, errors: [] };
const EXPIRED: ReleaseResult = { freezeWindow: { ...WINDOW, expired: true }, errors: [] };
const THAW_FAILED: ReleaseResult = {
  errors: [new SelfsnapError('FREEZE_FAILED', 'cannot thaw /data: Invalid argument')],
};
const POST_FAILED: ReleaseResult = {
  freezeWindow: { ...WINDOW, expired: false },
  errors: [new SelfsnapError('HOOK_FAILED', 'post hook /etc/selfsnap/post.sh failed')],
};
const SUFFIX = 'so the filesystem quiesce may have ended before the creates were accepted';

describe('checkQuiesceHeld', () => {
  it.each([
    ['a thaw of every filesystem', HELD],
    ['a failed post hook', POST_FAILED],
    ['hooks without a freeze', { errors: [] }],
  ])('keeps the consistency after %s', (_name, result) => {
    const session = { consistency: 'filesystem' as const, releasedByShutdown: false };

    expect(checkQuiesceHeld(session, result, 10_000)).toBeUndefined();
  });

  it.each([
    [
      'the deadline passed',
      EXPIRED,
      false,
      `the watchdog thawed at the freeze deadline (10000 ms), ${SUFFIX}`,
    ],
    [
      'the thaw failed',
      THAW_FAILED,
      false,
      `the thaw failed (cannot thaw /data: Invalid argument), ${SUFFIX}`,
    ],
    [
      'a shutdown released first',
      HELD,
      true,
      `the daemon stopped and released the run first, ${SUFFIX}`,
    ],
  ])('lowers to crash when %s', (_name, result, releasedByShutdown, reason) => {
    const session = { consistency: 'filesystem' as const, releasedByShutdown };

    expect(checkQuiesceHeld(session, result, 10_000)).toEqual({ consistency: 'crash', reason });
  });

  it('leaves a crash session alone when the deadline passed', () => {
    const session = { consistency: 'crash' as const, releasedByShutdown: true };

    expect(checkQuiesceHeld(session, EXPIRED, 10_000)).toBeUndefined();
  });
});
