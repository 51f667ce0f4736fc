import cron from 'node-cron';
import { z } from 'zod';
import { formatDuration, parseDuration } from './duration.js';

/** Policy names end up in snapshot names and tags, so they keep to a safe alphabet. */
export const POLICY_NAME_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
const DISK_ID_PATTERN = /^d-[a-z0-9]{4,40}$/;
// Tag key and value limits and reserved prefixes of the ECS API.
const TAG_KEY_MAX = 128;
const TAG_VALUE_MAX = 128;
// ECS takes 20 tags a snapshot; selfsnap's own selfsnap:* tags take up to 6 of them.
const MAX_POLICY_TAGS = 14;
const RESERVED_TAG_PREFIXES = ['aliyun', 'acs:', 'selfsnap:'];

function duration(min: number, max: number) {
  return z
    .string({ error: 'expected a duration such as 30s, 10m or 2h' })
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `invalid duration "${text}": use e.g. 30s, 10m, 2h`,
        });
        return z.NEVER;
      }
      if (ms < min || ms > max) {
        const range = `${formatDuration(min)} to ${formatDuration(max)}`;
        ctx.addIssue({ code: 'custom', message: `duration "${text}" is out of range (${range})` });
        return z.NEVER;
      }
      return ms;
    });
}

const cronExpression = z.string().superRefine((text, ctx) => {
  const result = cron.validateDetailed(text);
  if (!result.valid) {
    const detail = result.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    ctx.addIssue({ code: 'custom', message: `invalid cron expression "${text}" (${detail})` });
  }
});

const timezone = z.string().superRefine((text, ctx) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: text });
  } catch {
    ctx.addIssue({ code: 'custom', message: `unknown timezone "${text}": use an IANA name` });
  }
});

const tagKey = z
  .string()
  .min(1)
  .max(TAG_KEY_MAX)
  .refine((key) => !RESERVED_TAG_PREFIXES.some((prefix) => key.startsWith(prefix)), {
    error: `tag keys must not start with ${RESERVED_TAG_PREFIXES.join(', ')}`,
  })
  .refine((key) => !/^https?:\/\//.test(key), { error: 'tag keys must not start with http(s)://' });

const diskSelection = z.union(
  [
    z.enum(['all', 'system', 'data']),
    z
      .array(z.string().regex(DISK_ID_PATTERN, { error: 'expected a disk id such as d-bp1abc...' }))
      .min(1),
    z.strictObject({ mountpoints: z.array(z.string().startsWith('/')).min(1) }),
  ],
  {
    error: 'expected all, system, data, a list of disk ids, or {mountpoints: [/path, ...]}',
  },
);

const hooksSchema = z.strictObject({
  pre: z.string().startsWith('/').optional(),
  post: z.string().startsWith('/').optional(),
  timeout: duration(1000, 3_600_000).default(30_000),
  onFailure: z.enum(['abort', 'fallback']).default('abort'),
});

const retentionSchema = z.strictObject({
  keepLast: z.int().min(1).max(10_000).optional(),
  hourly: z.int().min(1).max(10_000).optional(),
  daily: z.int().min(1).max(10_000).optional(),
  weekly: z.int().min(1).max(10_000).optional(),
  monthly: z.int().min(1).max(10_000).optional(),
  yearly: z.int().min(1).max(1_000).optional(),
  maxAge: duration(3_600_000, 100 * 365 * 86_400_000).optional(),
  minKeep: z.int().min(1).max(10_000).default(1),
  failedGrace: duration(0, 365 * 86_400_000).default(86_400_000),
  orphans: z.enum(['keep', 'prune']).default('keep'),
});

const policyKeys = z.strictObject({
  schedule: cronExpression.optional(),
  timezone: timezone.default('UTC'),
  jitter: duration(0, 86_400_000).default(0),
  disks: diskSelection.default('all'),
  consistency: z.enum(['crash', 'group', 'filesystem', 'application']).default('crash'),
  freeze: z.array(z.string().startsWith('/')).default([]),
  freezeTimeout: duration(1000, 600_000).default(10_000),
  // Past this wait for the snapshots, a run is left running and checked again now and then.
  maxWait: duration(60_000, 7 * 86_400_000).default(6 * 3_600_000),
  hooks: hooksSchema.optional(),
  retention: retentionSchema.optional(),
  retentionDays: z.int().min(0).max(65_536).default(0),
  tags: z
    .record(tagKey, z.string().max(TAG_VALUE_MAX))
    .refine((tags) => Object.keys(tags).length <= MAX_POLICY_TAGS, {
      error: `at most ${MAX_POLICY_TAGS} tags: ECS allows 20 a snapshot and selfsnap writes up to 6`,
    })
    .default({}),
});

// Hooks and fsfreeze run only for these levels; a crash or group run never quiesces.
const QUIESCING_LEVELS = ['filesystem', 'application'];

/** Rejects consistency keys that a run would silently ignore, naming the key and the fix. */
function checkConsistencyKeys(policy: z.output<typeof policyKeys>, ctx: z.RefinementCtx): void {
  const level = policy.consistency;
  const quiesces = QUIESCING_LEVELS.includes(level);
  if (!quiesces && policy.hooks !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['hooks'],
      message: `hooks run only with consistency filesystem or application, not ${level}; set consistency: application or remove hooks`,
    });
  }
  if (!quiesces && policy.freeze.length > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['freeze'],
      message: `filesystems are frozen only with consistency filesystem or application, not ${level}; set consistency: filesystem or remove freeze`,
    });
  }
  if (level === 'application' && policy.hooks?.pre === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: policy.hooks === undefined ? ['hooks'] : ['hooks', 'pre'],
      message:
        'consistency application needs a pre hook that quiesces the application; set hooks.pre or use consistency: filesystem',
    });
  }
}

const policySchema = policyKeys.superRefine(checkConsistencyKeys);

const waitMode = z.enum(['accepted', 'available', 'accomplished']);

export const configSchema = z.strictObject({
  metadata: z
    .strictObject({
      endpoint: z.url({ protocol: /^https?$/ }).default('http://100.100.100.200'),
      tokenTtlSeconds: z.int().min(1).max(21_600).default(21_600),
      allowTokenless: z.boolean().default(false),
      timeout: duration(100, 60_000).default(2000),
      retries: z.int().min(0).max(10).default(2),
    })
    .prefault({}),
  ecs: z
    .strictObject({
      endpoint: z
        .string()
        .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, { error: 'expected host or host:port' })
        .optional(),
      protocol: z.enum(['https', 'http']).default('https'),
      timeout: duration(100, 120_000).default(10_000),
      // Older ECS documentation allows 16 disks per snapshot group, the current SDK 128.
      snapshotGroupDiskLimit: z.int().min(1).max(128).default(16),
    })
    .prefault({}),
  socket: z
    .strictObject({
      path: z.string().startsWith('/').default('/run/selfsnap/selfsnap.sock'),
      group: z.string().min(1).nullable().default('selfsnap'),
    })
    .prefault({}),
  stateDir: z.string().startsWith('/').default('/var/lib/selfsnap'),
  log: z
    .strictObject({ level: z.enum(['debug', 'info', 'warn', 'error']).default('info') })
    .prefault({}),
  policies: z
    .record(
      z.string().regex(POLICY_NAME_PATTERN, {
        error: 'policy names are lowercase letters, digits and dashes, starting with a letter',
      }),
      policySchema,
      {
        error: (issue) =>
          issue.input === undefined
            ? 'define at least one policy'
            : 'expected a map of policy names to policies',
      },
    )
    .refine((policies) => Object.keys(policies).length > 0, {
      error: 'define at least one policy',
    }),
  triggers: z
    .strictObject({
      hook: z
        .strictObject({
          policy: z.string(),
          minInterval: duration(0, 86_400_000).default(0),
          wait: waitMode.default('accepted'),
          timeout: duration(1000, 3_600_000).default(60_000),
          failClosed: z.boolean().default(false),
        })
        .optional(),
    })
    .prefault({}),
});

/** The validated configuration, with durations in milliseconds and defaults filled in. */
export type SelfsnapConfig = z.output<typeof configSchema>;
/** One validated policy. */
export type PolicyConfig = SelfsnapConfig['policies'][string];
/** Which disks a policy covers. */
export type DiskSelection = PolicyConfig['disks'];
/** How long a triggered run is waited for. */
export type WaitMode = z.output<typeof waitMode>;
