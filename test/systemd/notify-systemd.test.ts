import { describe, expect, it } from 'vitest';

import { notifySystemd } from '../../src/systemd/index.js';

// The success path needs a real service manager; test/system/service.test.ts covers it by
// starting the Type=notify unit under systemd in a container.
describe('notifySystemd', () => {
  it('skips when NOTIFY_SOCKET is unset', async () => {
    expect(await notifySystemd('READY=1', { PATH: process.env.PATH })).toEqual({
      status: 'skipped',
    });
  });

  it('reports the failure when the socket does not exist', async () => {
    const env = { PATH: process.env.PATH, NOTIFY_SOCKET: '/nonexistent/selfsnap-notify.sock' };

    const result = await notifySystemd('READY=1', env);

    expect(result.status).toBe('failed');
    expect(result).toHaveProperty('reason', expect.stringContaining('systemd-notify READY=1'));
  });

  it('reports the failure when systemd-notify is not installed', async () => {
    const env = { PATH: '/nonexistent', NOTIFY_SOCKET: '/run/systemd/notify' };

    const result = await notifySystemd('STOPPING=1', env);

    expect(result.status).toBe('failed');
    expect(result).toHaveProperty('reason', expect.stringContaining('ENOENT'));
  });
});
