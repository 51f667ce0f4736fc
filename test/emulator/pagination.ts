import { ApiError, invalidParameter } from './api-error.js';
import type { RequestParams } from './params.js';

/** Paging limits of one Describe action. */
export interface PagingLimits {
  /** Bounds of MaxResults; out-of-range values are clamped when `clampMaxResults`, else rejected. */
  maxResultsMin: number;
  maxResultsMax: number;
  clampMaxResults: boolean;
  defaultSize: number;
  /** Maximum PageSize in PageNumber/PageSize mode; undefined when the action has no such mode. */
  pageSizeMax: number | undefined;
}

/** A resolved page request: NextToken mode or PageNumber mode, as an offset and a size. */
export interface PageRequest {
  mode: 'token' | 'page';
  offset: number;
  size: number;
  pageNumber: number;
}

const TOKEN_PREFIX = 'emu1.';

/** Reads MaxResults/NextToken or PageNumber/PageSize. MaxResults or NextToken selects token mode. */
export function readPaging(params: RequestParams, limits: PagingLimits): PageRequest {
  const nextToken = params.get('NextToken');
  const rawMaxResults = params.get('MaxResults');
  if (nextToken !== undefined || rawMaxResults !== undefined || limits.pageSizeMax === undefined) {
    return {
      mode: 'token',
      offset: decodeNextToken(nextToken),
      size: readMaxResults(params, limits),
      pageNumber: 1,
    };
  }

  const pageNumber = params.integer('PageNumber', 1, 1_000_000) ?? 1;
  const size = params.integer('PageSize', 1, limits.pageSizeMax) ?? limits.defaultSize;
  return { mode: 'page', offset: (pageNumber - 1) * size, size, pageNumber };
}

/** Slices one page and returns it with the paging fields of the response body. */
export function paginate<T>(
  items: readonly T[],
  page: PageRequest,
): { items: T[]; fields: Record<string, unknown> } {
  const slice = items.slice(page.offset, page.offset + page.size);
  if (page.mode === 'page') {
    return {
      items: slice,
      fields: { TotalCount: items.length, PageNumber: page.pageNumber, PageSize: page.size },
    };
  }
  const end = page.offset + slice.length;
  const nextToken =
    end < items.length ? `${TOKEN_PREFIX}${Buffer.from(String(end)).toString('base64url')}` : '';
  return { items: slice, fields: { TotalCount: items.length, NextToken: nextToken } };
}

function readMaxResults(params: RequestParams, limits: PagingLimits): number {
  const raw = params.get('MaxResults');
  if (raw === undefined) return limits.defaultSize;
  if (!/^\d+$/.test(raw)) throw invalidParameter('MaxResults', 'an integer');
  const value = Number(raw);
  if (limits.clampMaxResults)
    return Math.min(limits.maxResultsMax, Math.max(limits.maxResultsMin, value));
  if (value < limits.maxResultsMin || value > limits.maxResultsMax) {
    throw invalidParameter(
      'MaxResults',
      `an integer from ${limits.maxResultsMin} to ${limits.maxResultsMax}`,
    );
  }
  return value;
}

// NOTE: a NextToken is an offset into the current result list, so snapshots created or deleted
// between two pages shift the later pages. The real API's token semantics are not published.
function decodeNextToken(token: string | undefined): number {
  if (token === undefined) return 0;
  const offset = token.startsWith(TOKEN_PREFIX)
    ? Number(Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString())
    : NaN;
  if (!Number.isInteger(offset) || offset < 0) {
    throw new ApiError(
      400,
      'InvalidNextToken.Malformed',
      `The NextToken "${token}" was not issued by a previous call.`,
    );
  }
  return offset;
}
