import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import type { Logger } from '../log/index.js';

/** Limits on how much of a hook's output reaches the log. */
export interface OutputLimits {
  /** Lines logged per hook run, stdout and stderr together; later lines are only counted. */
  maxLines: number;
  /** Characters kept of one line; the rest of the line is dropped. */
  maxLineLength: number;
}

/** Sends a hook's stdout and stderr to a logger line by line, within fixed limits. */
export class HookOutputLogger {
  private logged = 0;
  private dropped = 0;

  constructor(
    private readonly logger: Logger,
    private readonly limits: OutputLimits,
  ) {}

  /** Reads one output stream until it ends, logging each complete line. */
  follow(stream: Readable, name: 'stdout' | 'stderr'): void {
    const decoder = new StringDecoder('utf8');
    let pending = '';
    // Set while the rest of an over-long line is being dropped up to its newline.
    let cut = false;

    stream.on('data', (chunk: Buffer) => {
      const lines = (pending + decoder.write(chunk)).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!cut) this.log(name, line);
        cut = false;
      }
      // A line without a newline must not grow without bound: log its head, drop the rest.
      if (pending.length > this.limits.maxLineLength) {
        if (!cut) this.log(name, pending);
        cut = true;
        pending = '';
      }
    });
    stream.on('end', () => {
      const rest = pending + decoder.end();
      if (rest.length > 0 && !cut) this.log(name, rest);
    });
  }

  /** Logs how many lines were left out, if any. */
  finish(): void {
    if (this.dropped > 0) {
      this.logger.warn({ droppedLines: this.dropped }, 'hook output truncated');
    }
  }

  private log(stream: 'stdout' | 'stderr', rawLine: string): void {
    if (this.logged >= this.limits.maxLines) {
      this.dropped += 1;
      return;
    }
    this.logged += 1;
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const truncated = line.length > this.limits.maxLineLength;
    const text = truncated ? line.slice(0, this.limits.maxLineLength) : line;
    const fields = truncated ? { stream, truncated } : { stream };
    // Many scripts write progress to stderr, so both streams log at info and carry `stream`.
    this.logger.info(fields, text);
  }
}
