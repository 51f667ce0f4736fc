import { formatApiTime } from '../ids.js';
import { paginate, readPaging } from '../pagination.js';
import type { InstanceRecord } from '../records.js';
import { toApiTags } from '../snapshot-view.js';
import type { ActionContext, ActionDefinition } from './action.js';
import { hasTags } from './disks.js';
import { answerDryRun, requireRegion } from './region.js';

function toApiInstance(instance: InstanceRecord): Record<string, unknown> {
  const created = formatApiTime(instance.creationTime);
  return {
    InstanceId: instance.instanceId,
    InstanceName: instance.instanceName,
    HostName: instance.hostname,
    Description: '',
    RegionId: instance.regionId,
    ZoneId: instance.zoneId,
    InstanceType: instance.instanceType,
    InstanceTypeFamily: instance.instanceType.split('.').slice(0, 2).join('.'),
    Status: instance.status,
    CreationTime: created,
    StartTime: created,
    InstanceChargeType: 'PostPaid',
    InstanceNetworkType: 'vpc',
    IoOptimized: true,
    OSType: 'linux',
    ImageId: '',
    ResourceGroupId: '',
    SerialNumber: '',
    MetadataOptions: {
      HttpEndpoint: 'enabled',
      HttpTokens: instance.httpTokens,
      HttpPutResponseHopLimit: 1,
    },
    OperationLocks: { LockReason: [] },
    Tags: toApiTags(instance.tags),
  };
}

function describeInstances(context: ActionContext): Record<string, unknown> {
  const { params, state } = context;
  requireRegion(context);
  const instanceIds = params.jsonIds('InstanceIds', 'InvalidInstanceIds.Malformed');
  const zoneId = params.get('ZoneId');
  const status = params.get('Status');
  const instanceName = params.get('InstanceName');
  const tags = params.tags();
  const page = readPaging(params, {
    maxResultsMin: 1,
    maxResultsMax: 100,
    clampMaxResults: false,
    defaultSize: 10,
    pageSizeMax: 100,
  });
  answerDryRun(context);

  const { instance } = state;
  const matches =
    (instanceIds === undefined || instanceIds.includes(instance.instanceId)) &&
    (zoneId === undefined || zoneId === instance.zoneId) &&
    (status === undefined || status === instance.status) &&
    (instanceName === undefined || instanceName === instance.instanceName) &&
    hasTags(instance.tags, tags);
  const { items, fields } = paginate(matches ? [instance] : [], page);
  return { ...fields, Instances: { Instance: items.map(toApiInstance) } };
}

/** DescribeInstances: the emulated instance, when the filters match it. */
export const describeInstancesAction: ActionDefinition = {
  name: 'DescribeInstances',
  parameters: [
    'RegionId',
    'InstanceIds',
    'ZoneId',
    'Status',
    'InstanceName',
    'Tag',
    'DryRun',
    'MaxResults',
    'NextToken',
    'PageNumber',
    'PageSize',
    'AdditionalAttributes',
    'DeviceAvailable',
    'EipAddresses',
    'Filter',
    'HpcClusterId',
    'HttpEndpoint',
    'HttpPutResponseHopLimit',
    'HttpTokens',
    'ImageId',
    'InnerIpAddresses',
    'InstanceChargeType',
    'InstanceNetworkType',
    'InstanceType',
    'InstanceTypeFamily',
    'InternetChargeType',
    'IoOptimized',
    'KeyPairName',
    'LockReason',
    'NeedSaleCycle',
    'PrivateIpAddresses',
    'PublicIpAddresses',
    'RdmaIpAddresses',
    'ResourceGroupId',
    'SecurityGroupId',
    'VSwitchId',
    'VpcId',
  ],
  handle: describeInstances,
};
