import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { chooseLogFormat, createLogger, formatLine } from '../../src/log/index.js';

function collect(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return { stream, text: () => text };
}

describe('pretty log output', () => {
  it('formats a record as time, level, component, message and fields', () => {
    const line = JSON.stringify({
      level: 40,
      time: '2026-12-04T15:30:01.250Z',
      service: 'selfsnap',
      component: 'run',
      msg: 'snapshot not created',
      diskId: 'd-1',
      err: { code: 'ECS_THROTTLED', message: 'CreateSnapshot failed' },
    });

    expect(formatLine(line, false)).toBe(
      '15:30:01.250 WARN  [run] snapshot not created  diskId=d-1 err="ECS_THROTTLED: CreateSnapshot failed"',
    );
  });

  it('colours the level only when asked', () => {
    const line = JSON.stringify({ level: 50, time: '2026-12-04T15:30:01.250Z', msg: 'x' });

    expect(formatLine(line, true)).toContain('\x1b[31mERROR\x1b[0m');
    expect(formatLine(line, false)).not.toContain('\x1b[');
  });

  it('passes a line that is not JSON through unchanged', () => {
    expect(formatLine('plain text', false)).toBe('plain text');
  });

  it('writes readable lines with secrets still redacted when the format is pretty', () => {
    const output = collect();
    const logger = createLogger({ format: 'pretty', destination: output.stream });

    logger.info({ component: 'daemon', securityToken: 'CAISsecret' }, 'daemon ready');

    expect(output.text()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}\[daemon\] daemon ready/);
    expect(output.text()).toContain('securityToken=[redacted]');
    expect(output.text()).not.toContain('CAISsecret');
  });

  it('chooses JSON when stdout is not a terminal or JSON is forced', () => {
    expect(process.stdout.isTTY).not.toBe(true);
    expect(chooseLogFormat(false)).toBe('json');
    expect(chooseLogFormat(true)).toBe('json');
  });
});
