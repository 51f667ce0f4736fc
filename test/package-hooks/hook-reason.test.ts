import { describe, expect, it } from 'vitest';
import { formatHookReason, parseHookReason, REASON_MAX } from '../../src/triggers/index.js';

describe('formatHookReason', () => {
  it('puts manager, phase and transaction before the summary', () => {
    const reason = formatHookReason({
      manager: 'apt',
      phase: 'pre',
      transaction: '3f9c0a1b2d4e',
      summary: 'upgrade nginx 1.22 -> 1.24',
    });
    expect(reason).toBe('apt pre 3f9c0a1b2d4e: upgrade nginx 1.22 -> 1.24');
  });

  it('cuts the reason to the socket limit', () => {
    const reason = formatHookReason({
      manager: 'dnf',
      phase: 'post',
      transaction: '3f9c0a1b2d4e',
      summary: 'x'.repeat(400),
    });
    expect(reason).toHaveLength(REASON_MAX);
  });

  it('rejects a transaction id that is not hex', () => {
    expect(() =>
      formatHookReason({ manager: 'apt', phase: 'pre', transaction: 'nope', summary: '' }),
    ).toThrow(expect.objectContaining({ code: 'REQUEST_INVALID' }));
  });
});

describe('parseHookReason', () => {
  it('reads back what formatHookReason wrote', () => {
    expect(parseHookReason('dnf post 3f9c0a1b2d4e: remove vim 9.0')).toEqual({
      manager: 'dnf',
      phase: 'post',
      transaction: '3f9c0a1b2d4e',
      summary: 'remove vim 9.0',
    });
  });

  it.each([undefined, '', 'before the nginx upgrade', 'yum pre 3f9c0a1b2d4e: x'])(
    'returns undefined for %j',
    (text) => {
      expect(parseHookReason(text)).toBeUndefined();
    },
  );
});
