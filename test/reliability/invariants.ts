import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { runFsfreeze } from '../../src/consistency/index.js';
import type { RecordedRequest, SnapshotView } from '../emulator/index.js';
import { requestOverSocket } from '../support/socket-request.js';

/**
 * What the checker reads from an emulator. An in-process Emulator provides it; a test driving an
 * emulator process passes what it fetched from the control endpoint.
 */
export interface EmulatorReadings {
  instance: { instanceId: string };
  control: {
    snapshots(): SnapshotView[];
    requests(): RecordedRequest[];
    issuedCredentials(): { accessKeyId: string; accessKeySecret: string; securityToken: string }[];
  };
}

/** Everything a case leaves behind that the invariants are checked against. */
export interface CaseEvidence {
  emulator: EmulatorReadings;
  /** Snapshots that are not selfsnap's, as seeded before the case. */
  foreign: readonly SnapshotView[];
  /** Output lines of the daemon: logs and stderr. */
  lines: readonly string[];
  /** Socket response bodies and any other text the case printed, such as CLI output. */
  texts?: readonly string[];
  stateDir?: string;
  /** Socket of a daemon that must be serving and ready afterwards. */
  socketPath?: string;
  /** Deletions happen only with retention rules; their correctness is checked by the caller. */
  retentionConfigured?: boolean;
  /** Own snapshots known before the case, which must all still exist without retention rules. */
  ownBefore?: readonly string[];
  /** Snapshot ids the caller knows selfsnap made, for example from run records it observed. */
  knownOwnIds?: Iterable<string>;
  /** Mountpoints frozen during the case, which must be thawed by now. */
  frozenMountpoints?: readonly string[];
}

const INSTANCE_TAG = 'selfsnap:instance';
const RUN_TAG = 'selfsnap:run';
// A temporary file younger than this may belong to a write in progress.
const TEMPORARY_FILE_GRACE_MS = 5000;

/**
 * Checks what must hold after any case and returns one line per violation (empty when all hold):
 * no duplicate snapshot per run and disk, nothing foreign touched, nothing of its own lost,
 * nothing left frozen, no secret in any output, a readable state folder and a ready daemon.
 */
export async function checkInvariants(evidence: CaseEvidence): Promise<string[]> {
  const texts = [...evidence.lines, ...(evidence.texts ?? [])];
  const violations: string[] = [];
  if (evidence.socketPath !== undefined) {
    violations.push(...(await checkServing(evidence.socketPath, texts)));
  }
  const state = evidence.stateDir === undefined ? undefined : await readStateDir(evidence.stateDir);
  if (state !== undefined) {
    violations.push(...state.violations);
    texts.push(...state.texts);
  }
  const runSnapshotIds = state?.runSnapshotIds ?? [];
  violations.push(
    ...checkDuplicates(evidence, runSnapshotIds),
    ...checkForeign(evidence),
    ...checkTargets(evidence, new Set([...runSnapshotIds, ...(evidence.knownOwnIds ?? [])])),
    ...checkLosses(evidence),
    ...checkSecrets(evidence.emulator, texts),
    ...(await checkThawed(evidence.frozenMountpoints ?? [])),
  );
  return violations;
}

function instanceIdOf(evidence: CaseEvidence): string {
  return evidence.emulator.instance.instanceId;
}

function tagOf(snapshot: SnapshotView, key: string): string | undefined {
  return snapshot.tags.find((tag) => tag.key === key)?.value;
}

function ownSnapshots(evidence: CaseEvidence): SnapshotView[] {
  const instanceId = instanceIdOf(evidence);
  return evidence.emulator.control
    .snapshots()
    .filter((snapshot) => tagOf(snapshot, INSTANCE_TAG) === instanceId);
}

function checkDuplicates(evidence: CaseEvidence, runSnapshotIds: readonly string[]): string[] {
  const violations: string[] = [];
  const perRunDisk = new Map<string, string[]>();
  for (const snapshot of ownSnapshots(evidence)) {
    const key = `${tagOf(snapshot, RUN_TAG) ?? '(no run tag)'} ${snapshot.sourceDiskId}`;
    perRunDisk.set(key, [...(perRunDisk.get(key) ?? []), snapshot.snapshotId]);
  }
  for (const [key, ids] of perRunDisk) {
    if (ids.length > 1) violations.push(`duplicate snapshots for run and disk ${key}: ${ids}`);
  }
  const seen = new Set<string>();
  for (const id of runSnapshotIds) {
    if (seen.has(id)) violations.push(`snapshot ${id} is recorded by two run records`);
    seen.add(id);
  }
  return violations;
}

function checkForeign(evidence: CaseEvidence): string[] {
  const now = new Map(evidence.emulator.control.snapshots().map((s) => [s.snapshotId, s]));
  return evidence.foreign.flatMap((before) => {
    const after = now.get(before.snapshotId);
    if (after === undefined) return [`foreign snapshot ${before.snapshotId} was deleted`];
    const fields = ['snapshotName', 'description', 'retentionDays', 'usage', 'sourceDiskId'];
    const changed = fields.filter(
      (field) =>
        JSON.stringify(before[field as keyof SnapshotView]) !==
        JSON.stringify(after[field as keyof SnapshotView]),
    );
    if (JSON.stringify(before.tags) !== JSON.stringify(after.tags)) changed.push('tags');
    return changed.length === 0
      ? []
      : [`foreign snapshot ${before.snapshotId} changed: ${changed.join(', ')}`];
  });
}

/** Returns the snapshot (or group) ids a mutating request names. */
function targetsOf(request: RecordedRequest): string[] {
  const { params } = request;
  if (request.action === 'DeleteSnapshot' || request.action === 'ModifySnapshotAttribute') {
    return [params.SnapshotId ?? '(none)'];
  }
  if (request.action === 'DeleteSnapshotGroup') return [params.SnapshotGroupId ?? '(none)'];
  if (request.action === 'TagResources' || request.action === 'UntagResources') {
    if (params.ResourceType !== 'snapshot') return [`(${params.ResourceType} resource)`];
    return Object.entries(params)
      .filter(([name]) => name.startsWith('ResourceId.'))
      .map(([, value]) => value);
  }
  return [];
}

function checkTargets(evidence: CaseEvidence, recorded: ReadonlySet<string>): string[] {
  const own = new Set([
    ...recorded,
    ...ownSnapshots(evidence).flatMap((s) => [s.snapshotId, s.snapshotGroupId ?? '']),
  ]);
  const foreign = new Set(evidence.foreign.map((snapshot) => snapshot.snapshotId));
  const violations: string[] = [];
  for (const request of evidence.emulator.control.requests()) {
    for (const target of targetsOf(request)) {
      if (foreign.has(target)) {
        violations.push(`${request.action} touched foreign snapshot ${target}`);
      } else if (!own.has(target)) {
        violations.push(`${request.action} targeted ${target}, which selfsnap does not own`);
      }
    }
  }
  return violations;
}

function checkLosses(evidence: CaseEvidence): string[] {
  if (evidence.retentionConfigured === true) return [];
  const deletes = evidence.emulator.control
    .requests()
    .filter((r) => r.action === 'DeleteSnapshot' || r.action === 'DeleteSnapshotGroup');
  const present = new Set(evidence.emulator.control.snapshots().map((s) => s.snapshotId));
  return [
    ...deletes.map((r) => `${r.action} ${targetsOf(r)[0]} sent without retention rules`),
    ...(evidence.ownBefore ?? [])
      .filter((id) => !present.has(id))
      .map((id) => `own snapshot ${id} is gone without retention rules`),
  ];
}

function checkSecrets(emulator: EmulatorReadings, texts: readonly string[]): string[] {
  const secrets = new Map<string, string>();
  for (const issued of emulator.control.issuedCredentials()) {
    secrets.set(issued.accessKeySecret, `access key secret of ${issued.accessKeyId}`);
    secrets.set(issued.securityToken, `security token of ${issued.accessKeyId}`);
    // A leak may be cut short, so a long piece of each is searched for as well.
    secrets.set(issued.accessKeySecret.slice(0, 20), `part of the secret of ${issued.accessKeyId}`);
    secrets.set(issued.securityToken.slice(4, 36), `part of the token of ${issued.accessKeyId}`);
  }
  const violations: string[] = [];
  for (const [secret, name] of secrets) {
    const leaked = texts.find((text) => text.includes(secret));
    if (leaked !== undefined) violations.push(`${name} appears in: ${leaked.slice(0, 200)}`);
  }
  return violations;
}

async function checkServing(socketPath: string, texts: string[]): Promise<string[]> {
  try {
    const status = await requestOverSocket(socketPath, 'GET', '/v1/status');
    const runs = await requestOverSocket(socketPath, 'GET', '/v1/runs?limit=200');
    const metrics = await requestOverSocket(socketPath, 'GET', '/metrics');
    texts.push(status.text, runs.text, metrics.text);
    if (status.status !== 200) return [`GET /v1/status returned HTTP ${status.status}`];
    const body = JSON.parse(status.text) as { ready?: boolean };
    return body.ready === true ? [] : ['the daemon is not ready after the case'];
  } catch (error) {
    return [`the daemon does not respond on ${socketPath}: ${(error as Error).message}`];
  }
}

interface StateReading {
  violations: string[];
  texts: string[];
  runSnapshotIds: string[];
}

function ignoreVanished(error: NodeJS.ErrnoException): undefined {
  if (error.code === 'ENOENT') return undefined;
  throw error;
}

/** Reads every file under the state folder: run records must parse, nothing else may linger. */
async function readStateDir(stateDir: string): Promise<StateReading> {
  const reading: StateReading = { violations: [], texts: [], runSnapshotIds: [] };
  for (const path of await listFiles(stateDir)) {
    // A running daemon renames its temporary files into place, so a file listed a moment ago
    // may be gone: that is an atomic write finishing, not a problem.
    const text = await readFile(path, 'utf8').catch(ignoreVanished);
    if (text === undefined) continue;
    reading.texts.push(text);
    if (path.endsWith('.corrupt')) continue;
    if (path.endsWith('.tmp')) {
      const modified = await stat(path).catch(ignoreVanished);
      const ageMs = modified === undefined ? 0 : Date.now() - modified.mtimeMs;
      if (ageMs > TEMPORARY_FILE_GRACE_MS) reading.violations.push(`leftover file ${path}`);
      continue;
    }
    try {
      const record = JSON.parse(text) as { id?: string; disks?: { snapshotId?: string }[] };
      if (path.includes('/runs/') && (typeof record.id !== 'string' || !record.disks)) {
        reading.violations.push(`run record ${path} lacks an id or disks`);
      }
      for (const disk of record.disks ?? []) {
        if (disk.snapshotId !== undefined) reading.runSnapshotIds.push(disk.snapshotId);
      }
    } catch {
      reading.violations.push(`state file ${path} does not parse as JSON`);
    }
  }
  return reading;
}

async function listFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

async function checkThawed(mountpoints: readonly string[]): Promise<string[]> {
  const violations: string[] = [];
  for (const mountpoint of mountpoints) {
    // A thaw that succeeds proves the filesystem was still frozen; it also undoes it.
    const thaw = await runFsfreeze('thaw', mountpoint);
    if (thaw.ok) violations.push(`${mountpoint} was still frozen`);
    else if (!thaw.notFrozen) violations.push(`cannot check ${mountpoint}: ${thaw.message}`);
  }
  return violations;
}
