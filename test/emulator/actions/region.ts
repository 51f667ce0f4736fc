import { ApiError } from '../api-error.js';
import type { ActionContext } from './action.js';

/** Reads the required RegionId and rejects a region other than the emulated instance's. */
export function requireRegion(context: ActionContext): string {
  const regionId = context.params.required('RegionId');
  if (regionId !== context.state.instance.regionId) {
    throw new ApiError(
      404,
      'InvalidRegionId.NotFound',
      `The region "${regionId}" is not served by this endpoint (${context.state.instance.regionId}).`,
    );
  }
  return regionId;
}

/** Throws the `DryRunOperation` error the API returns for `DryRun=true` when the call would pass. */
export function answerDryRun(context: ActionContext): void {
  if (context.params.boolean('DryRun', false)) {
    throw new ApiError(
      400,
      'DryRunOperation',
      'Request validation has been passed with DryRun flag set.',
    );
  }
}
