import type { ActionDefinition } from './action.js';
import { describeSnapshotsAction } from './describe-snapshots.js';
import { describeDisksAction } from './disks.js';
import {
  createSnapshotAction,
  deleteSnapshotAction,
  modifySnapshotAttributeAction,
} from './snapshots.js';

export type { ActionContext, ActionDefinition } from './action.js';

/** Returns the implemented actions by name. */
export function actionRegistry(): Map<string, ActionDefinition> {
  const actions = [
    describeDisksAction,
    createSnapshotAction,
    describeSnapshotsAction,
    deleteSnapshotAction,
    modifySnapshotAttributeAction,
  ];
  return new Map(actions.map((action) => [action.name, action]));
}
