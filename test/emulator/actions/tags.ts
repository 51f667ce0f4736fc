import { ApiError, missingParameter } from '../api-error.js';
import { paginate, readPaging } from '../pagination.js';
import type { Tag } from '../params.js';
import { validateTags } from '../validation.js';
import type { ActionContext, ActionDefinition } from './action.js';
import { hasTags } from './disks.js';
import { requireRegion } from './region.js';

/** Resource types TagResources documents; the emulator models only instance, disk and snapshot. */
const DOCUMENTED_RESOURCE_TYPES = [
  'instance',
  'disk',
  'snapshot',
  'image',
  'securitygroup',
  'volume',
  'eni',
  'ddh',
  'ddhcluster',
  'keypair',
  'launchtemplate',
  'reservedinstance',
  'snapshotpolicy',
  'elasticityassurance',
  'capacityreservation',
  'command',
  'invocation',
  'activation',
  'managedinstance',
];
const MAX_RESOURCE_IDS = 50;
const MAX_TAGS_PER_RESOURCE = 20;
const MAX_UNTAG_KEYS = 20;
const LIST_PAGE_SIZE = 50;

function readResourceType(context: ActionContext): string {
  const resourceType = context.params.required('ResourceType');
  if (!DOCUMENTED_RESOURCE_TYPES.includes(resourceType)) {
    throw new ApiError(
      400,
      'InvalidResourceType.NotFound',
      `The ResourceType "${resourceType}" is not supported.`,
    );
  }
  return resourceType;
}

/** Returns the tag list of a resource, or undefined when the resource does not exist. */
function findTags(
  context: ActionContext,
  resourceType: string,
  resourceId: string,
): Tag[] | undefined {
  const { state } = context;
  if (resourceType === 'instance' && resourceId === state.instance.instanceId)
    return state.instance.tags;
  if (resourceType === 'disk') return state.findDisk(resourceId)?.tags;
  if (resourceType === 'snapshot') return state.snapshots.get(resourceId)?.tags;
  return undefined;
}

function requireTags(context: ActionContext, resourceType: string, resourceId: string): Tag[] {
  const tags = findTags(context, resourceType, resourceId);
  if (tags === undefined) {
    throw new ApiError(
      404,
      'InvalidResourceId.NotFound',
      `The ${resourceType} "${resourceId}" does not exist.`,
    );
  }
  return tags;
}

function tagResources(context: ActionContext): Record<string, unknown> {
  requireRegion(context);
  const resourceType = readResourceType(context);
  const resourceIds = context.params.indexedList('ResourceId', MAX_RESOURCE_IDS);
  if (resourceIds.length === 0) throw missingParameter('ResourceId');
  const tags = context.params.tags();
  if (tags.length === 0) throw missingParameter('Tag');
  validateTags(tags);

  // Every resource is checked before any is changed, so a failed call changes nothing.
  const targets = resourceIds.map((resourceId) => {
    const existing = requireTags(context, resourceType, resourceId);
    const merged = [
      ...existing.filter((tag) => !tags.some((added) => added.key === tag.key)),
      ...tags,
    ];
    if (merged.length > MAX_TAGS_PER_RESOURCE) {
      throw new ApiError(
        400,
        'InvalidTagCount',
        `The ${resourceType} "${resourceId}" would have ${merged.length} tags; at most ${MAX_TAGS_PER_RESOURCE} are allowed.`,
      );
    }
    return { existing, merged };
  });
  for (const { existing, merged } of targets) existing.splice(0, existing.length, ...merged);
  return {};
}

function untagResources(context: ActionContext): Record<string, unknown> {
  requireRegion(context);
  const resourceType = readResourceType(context);
  const resourceIds = context.params.indexedList('ResourceId', MAX_RESOURCE_IDS);
  if (resourceIds.length === 0) throw missingParameter('ResourceId');
  const keys = context.params.indexedList('TagKey', MAX_UNTAG_KEYS);
  // All takes effect only without TagKey.N. With neither, the reference does not say what
  // happens; the emulator removes nothing.
  const all = keys.length === 0 && context.params.boolean('All', false);

  // Every resource is checked before any is changed, so a failed call changes nothing.
  const targets = resourceIds.map((resourceId) => requireTags(context, resourceType, resourceId));
  for (const tags of targets) {
    const remaining = all ? [] : tags.filter((tag) => !keys.includes(tag.key));
    tags.splice(0, tags.length, ...remaining);
  }
  return {};
}

function listTagResources(context: ActionContext): Record<string, unknown> {
  requireRegion(context);
  const resourceType = readResourceType(context);
  const resourceIds = context.params.indexedList('ResourceId', MAX_RESOURCE_IDS);
  const filter = context.params.tags();
  const page = readPaging(context.params, {
    maxResultsMin: LIST_PAGE_SIZE,
    maxResultsMax: LIST_PAGE_SIZE,
    clampMaxResults: true,
    defaultSize: LIST_PAGE_SIZE,
    pageSizeMax: undefined,
  });

  const candidates = resourceIds.length > 0 ? resourceIds : allResourceIds(context, resourceType);
  const rows = candidates.flatMap((resourceId) => {
    const tags = findTags(context, resourceType, resourceId);
    if (tags === undefined || !hasTags(tags, filter)) return [];
    return tags.map((tag) => ({
      ResourceId: resourceId,
      ResourceType: resourceType,
      TagKey: tag.key,
      TagValue: tag.value,
    }));
  });
  const { items, fields } = paginate(rows, page);
  return { NextToken: fields['NextToken'], TagResources: { TagResource: items } };
}

function allResourceIds(context: ActionContext, resourceType: string): string[] {
  const { state } = context;
  if (resourceType === 'instance') return [state.instance.instanceId];
  if (resourceType === 'disk') return state.listDisks().map((disk) => disk.diskId);
  if (resourceType === 'snapshot')
    return state.listSnapshots().map((snapshot) => snapshot.snapshotId);
  return [];
}

/** TagResources: adds or overwrites tags on instances, disks and snapshots. */
export const tagResourcesAction: ActionDefinition = {
  name: 'TagResources',
  parameters: ['RegionId', 'ResourceType', 'ResourceId', 'Tag'],
  handle: tagResources,
};

/** UntagResources: removes the named tag keys, or every tag with All, from resources. */
export const untagResourcesAction: ActionDefinition = {
  name: 'UntagResources',
  parameters: ['RegionId', 'ResourceType', 'ResourceId', 'TagKey', 'All'],
  handle: untagResources,
};

/** ListTagResources: the tags of instances, disks or snapshots, one row per tag. */
export const listTagResourcesAction: ActionDefinition = {
  name: 'ListTagResources',
  parameters: ['RegionId', 'ResourceType', 'ResourceId', 'Tag', 'NextToken'],
  handle: listTagResources,
};
