import { readFile } from 'node:fs/promises';

import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

import { parseDuration } from './duration.js';

const duration = z.union([z.number().nonnegative(), z.string()]).transform((value, context) => {
  try {
    return parseDuration(value);
  } catch (error) {
    context.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});
// A key whose value is undefined means no tag, so `{ key: condition ? value : undefined }` works.
const tags = z
  .record(z.string(), z.string().optional())
  .default({})
  .transform((record) =>
    Object.fromEntries(
      Object.entries(record).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ),
  );
const diskStatus = z.enum([
  'In_use',
  'Available',
  'Attaching',
  'Detaching',
  'Creating',
  'ReIniting',
]);

const instanceSchema = z.strictObject({
  instanceId: z.string().default('i-bp1selfsnap0emu0001'),
  instanceName: z.string().optional(),
  regionId: z.string().default('cn-hangzhou'),
  zoneId: z.string().default('cn-hangzhou-k'),
  hostname: z.string().optional(),
  instanceType: z.string().default('ecs.g7.large'),
  ownerAccountId: z.string().default('1234567890123456'),
  status: z.enum(['Running', 'Stopped', 'Starting', 'Stopping', 'Pending']).default('Running'),
  roleName: z.string().default('SelfsnapRole'),
  httpTokens: z.enum(['required', 'optional']).default('required'),
  tags,
});

const diskSchema = z.strictObject({
  diskId: z.string().regex(/^d-/),
  diskName: z.string().optional(),
  serialNumber: z.string().optional(),
  category: z.string().default('cloud_essd'),
  type: z.enum(['system', 'data']).default('data'),
  status: diskStatus.default('In_use'),
  /** Instance the disk is attached to; defaults to the scenario's instance, '' means detached. */
  instanceId: z.string().optional(),
  device: z.string().default(''),
  size: z.number().int().positive().default(40),
  zoneId: z.string().optional(),
  encrypted: z.boolean().default(false),
  portable: z.boolean().optional(),
  multiAttach: z.boolean().default(false),
  everAttached: z.boolean().default(true),
  tags,
});

const diskEventSchema = z.strictObject({
  /** Emulated time after the emulator starts. */
  after: duration,
  diskId: z.string(),
  status: diskStatus.optional(),
  instanceId: z.string().optional(),
});

const snapshotSchema = z.strictObject({
  snapshotId: z.string().regex(/^s-/).optional(),
  diskId: z.string(),
  name: z.string().default(''),
  description: z.string().default(''),
  type: z.enum(['user', 'auto']).default('user'),
  status: z.enum(['accomplished', 'progressing', 'failed']).default('accomplished'),
  createdAgo: duration.default(3_600_000),
  usage: z.enum(['none', 'image', 'disk', 'image_disk']).default('none'),
  instanceId: z.string().optional(),
  retentionDays: z.number().int().min(1).max(65_536).optional(),
  tags,
});

const settingsSchema = z.strictObject({
  snapshotDuration: duration.optional(),
  snapshotAvailableFraction: z.number().min(0).max(1).optional(),
  credentialLifetime: duration.optional(),
  credentialRotationMargin: duration.optional(),
  manualSnapshotQuotaPerDisk: z.number().int().nonnegative().optional(),
  essdConcurrentSnapshotLimit: z.number().int().positive().optional(),
  snapshotGroupDiskLimit: z.number().int().positive().optional(),
  snapshotGroupTagsOnMembers: z.boolean().optional(),
  missingSnapshotOnDelete: z.enum(['notFound', 'ignore']).optional(),
  flowControlPerMinute: z.record(z.string(), z.number().int().nonnegative()).optional(),
  requestLogLimit: z.number().int().positive().optional(),
  allowedActions: z.array(z.string()).optional(),
});

const faultsSchema = z.strictObject({
  errors: z
    .array(
      z.strictObject({
        action: z.string(),
        code: z.string(),
        httpStatus: z.number().int().min(400).max(599),
        count: z.number().int().positive().default(1),
        message: z.string().optional(),
        diskId: z.string().optional(),
        parameter: z.string().optional(),
      }),
    )
    .default([]),
  latencies: z
    .array(
      z.strictObject({
        action: z.string(),
        latencyMs: z.number().nonnegative(),
        count: z.number().int().positive().optional(),
      }),
    )
    .default([]),
  drops: z
    .array(z.strictObject({ action: z.string(), count: z.number().int().positive().default(1) }))
    .default([]),
  snapshotFailures: z
    .array(z.strictObject({ diskId: z.string(), count: z.number().int().positive().default(1) }))
    .default([]),
  imdsHang: z.boolean().default(false),
});

/** Schema of a scenario file; every section is optional and defaults to the seeded instance. */
export const scenarioSchema = z.strictObject({
  instance: instanceSchema.default(instanceSchema.parse({})),
  /** Replaces the seeded disks when given. */
  disks: z.array(diskSchema).optional(),
  diskEvents: z.array(diskEventSchema).default([]),
  snapshots: z.array(snapshotSchema).default([]),
  settings: settingsSchema.default({}),
  clock: z
    .strictObject({ offset: z.number().default(0), speed: z.number().nonnegative().default(1) })
    .default({ offset: 0, speed: 1 }),
  faults: faultsSchema.default(faultsSchema.parse({})),
});

/** A scenario as written in a file or passed to startEmulator. */
export type Scenario = z.input<typeof scenarioSchema>;
/** A scenario with every default filled in. */
export type ResolvedScenario = z.output<typeof scenarioSchema>;

/** Validates a scenario object; the error names each invalid key path. */
export function parseScenario(input: unknown): ResolvedScenario {
  const result = scenarioSchema.safeParse(input ?? {});
  if (!result.success) throw new Error(`invalid scenario:\n${z.prettifyError(result.error)}`);
  return result.data;
}

/** Reads a scenario file, YAML or JSON (JSON is valid YAML), and validates it. */
export async function loadScenarioFile(path: string): Promise<Scenario> {
  const text = await readFile(path, 'utf8');
  const parsed: unknown = parseYaml(text);
  parseScenario(parsed);
  return parsed as Scenario;
}
