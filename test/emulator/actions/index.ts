import type { ActionDefinition } from './action.js';
import { createSnapshotGroupAction } from './create-snapshot-group.js';
import { describeSnapshotsAction } from './describe-snapshots.js';
import { describeDisksAction } from './disks.js';
import { describeInstancesAction } from './instances.js';
import { deleteSnapshotGroupAction, describeSnapshotGroupsAction } from './snapshot-groups.js';
import {
  createSnapshotAction,
  deleteSnapshotAction,
  modifySnapshotAttributeAction,
} from './snapshots.js';
import { listTagResourcesAction, tagResourcesAction, untagResourcesAction } from './tags.js';

export type { ActionContext, ActionDefinition } from './action.js';

/** Returns the implemented actions by name. */
export function actionRegistry(): Map<string, ActionDefinition> {
  const actions = [
    describeDisksAction,
    createSnapshotAction,
    describeSnapshotsAction,
    deleteSnapshotAction,
    modifySnapshotAttributeAction,
    describeInstancesAction,
    createSnapshotGroupAction,
    describeSnapshotGroupsAction,
    deleteSnapshotGroupAction,
    tagResourcesAction,
    untagResourcesAction,
    listTagResourcesAction,
  ];
  return new Map(actions.map((action) => [action.name, action]));
}
