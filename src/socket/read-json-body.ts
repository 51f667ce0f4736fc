import type { IncomingMessage } from 'node:http';
import { SelfsnapError } from '../errors/index.js';

/** Reads a request body of at most `maxBytes` and parses it as JSON; an empty body reads as `{}`. */
export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw tooLarge(maxBytes);

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new SelfsnapError('REQUEST_INVALID', 'request body is not valid JSON');
  }
}

function tooLarge(maxBytes: number): SelfsnapError {
  return new SelfsnapError('PAYLOAD_TOO_LARGE', `request body is larger than ${maxBytes} bytes`);
}
