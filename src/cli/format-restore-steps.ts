import type { SnapshotView } from '../socket/snapshot-view.js';
import { formatTable, shortTime, truncate } from './format-table.js';

/** Formats the chosen snapshots and the two ways to get each disk back. */
export function formatRestoreSteps(
  points: SnapshotView[],
  instance: { instanceId: string; regionId: string; zoneId: string },
): string {
  const table = formatTable(
    ['DISK', 'TYPE', 'SNAPSHOT', 'CREATED', 'POLICY', 'REASON'],
    points.map((point) => [
      point.diskId,
      point.diskType,
      point.snapshotId,
      shortTime(point.creationTime),
      point.policy ?? '-',
      truncate(point.reason ?? point.description, 40),
    ]),
  );
  const id = instance.instanceId;
  const resets = points.map(
    (point) =>
      `     aliyun ecs ResetDisk --DiskId ${point.diskId} --SnapshotId ${point.snapshotId}`,
  );
  const copies = points.map(
    (point) =>
      `     aliyun ecs CreateDisk --RegionId ${instance.regionId} --ZoneId ${instance.zoneId} --SnapshotId ${point.snapshotId} --DiskCategory <category>`,
  );
  return [
    table,
    '',
    'Roll the disks back in place (their current data is lost):',
    `  1. stop the instance:  aliyun ecs StopInstance --InstanceId ${id}`,
    '  2. reset each disk:',
    ...resets,
    `  3. start the instance: aliyun ecs StartInstance --InstanceId ${id}`,
    '  (ECS console: Snapshots > the snapshot > Roll Back Disk, with the instance stopped)',
    '',
    'Or keep the current disks and attach copies made from the snapshots:',
    ...copies,
    `     aliyun ecs AttachDisk --InstanceId ${id} --DiskId <new disk id>`,
  ].join('\n');
}
