import { describe, expect, it } from 'vitest';
import { readTestLookupRoots } from '../../src/disks/index.js';

describe('readTestLookupRoots', () => {
  it('returns no override when the variables are unset', () => {
    expect(readTestLookupRoots({})).toEqual({});
  });

  it('ignores variables set to an empty string', () => {
    const env = { SELFSNAP_TEST_SYSFS_ROOT: '', SELFSNAP_TEST_DISK_BY_ID_ROOT: '' };

    expect(readTestLookupRoots(env)).toEqual({});
  });

  it('replaces sysfs and by-id but never mountinfo', () => {
    const env = {
      SELFSNAP_TEST_SYSFS_ROOT: '/tmp/fake/sys',
      SELFSNAP_TEST_DISK_BY_ID_ROOT: '/tmp/fake/by-id',
    };

    expect(readTestLookupRoots(env)).toEqual({ sys: '/tmp/fake/sys', byId: '/tmp/fake/by-id' });
  });
});
