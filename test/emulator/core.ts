import { actionRegistry, type ActionDefinition } from './actions/index.js';
import { EmulatedClock } from './clock.js';
import { FaultPlan } from './faults.js';
import { FlowControl } from './flow-control.js';
import { Gateway } from './gateway.js';
import { ClientTokenRegistry } from './idempotency.js';
import { RequestLog } from './request-log.js';
import type { ResolvedScenario } from './scenario.js';
import { seedDiskEvents, seedDisks, seedInstance, seedSnapshots } from './seed.js';
import { defaultSettings, type EmulatorSettings } from './settings.js';
import { EmulatorState } from './state.js';
import { CredentialIssuer } from './sts.js';

/** Everything one emulator holds; two emulators never share any of it. */
export interface EmulatorCore {
  clock: EmulatedClock;
  state: EmulatorState;
  issuer: CredentialIssuer;
  gateway: Gateway;
  faults: FaultPlan;
  flowControl: FlowControl;
  clientTokens: ClientTokenRegistry;
  log: RequestLog;
  actions: Map<string, ActionDefinition>;
}

/** Applies the scenario's settings section over the defaults. */
function resolveSettings(scenario: ResolvedScenario): EmulatorSettings {
  const settings = defaultSettings();
  const given = scenario.settings;
  settings.snapshotDurationMs = given.snapshotDuration ?? settings.snapshotDurationMs;
  settings.snapshotAvailableFraction =
    given.snapshotAvailableFraction ?? settings.snapshotAvailableFraction;
  settings.credentialLifetimeMs = given.credentialLifetime ?? settings.credentialLifetimeMs;
  settings.credentialRotationMarginMs =
    given.credentialRotationMargin ?? settings.credentialRotationMarginMs;
  settings.manualSnapshotQuotaPerDisk =
    given.manualSnapshotQuotaPerDisk ?? settings.manualSnapshotQuotaPerDisk;
  settings.essdConcurrentSnapshotLimit =
    given.essdConcurrentSnapshotLimit ?? settings.essdConcurrentSnapshotLimit;
  settings.snapshotGroupDiskLimit = given.snapshotGroupDiskLimit ?? settings.snapshotGroupDiskLimit;
  settings.snapshotGroupTagsOnMembers =
    given.snapshotGroupTagsOnMembers ?? settings.snapshotGroupTagsOnMembers;
  settings.missingSnapshotOnDelete =
    given.missingSnapshotOnDelete ?? settings.missingSnapshotOnDelete;
  settings.flowControlPerMinute = given.flowControlPerMinute ?? settings.flowControlPerMinute;
  settings.requestLogLimit = given.requestLogLimit ?? settings.requestLogLimit;
  settings.allowedActions = given.allowedActions ?? settings.allowedActions;
  return settings;
}

/** Builds the state, credentials, gateway and faults of one emulator from a scenario. */
export function createCore(scenario: ResolvedScenario): EmulatorCore {
  const clock = new EmulatedClock({ offsetMs: scenario.clock.offset, speed: scenario.clock.speed });
  const now = clock.now();
  const settings = resolveSettings(scenario);
  const instance = seedInstance(scenario, now);
  const disks = seedDisks(scenario, instance);
  const state = new EmulatorState(instance, disks, seedDiskEvents(scenario, now), settings, clock);
  for (const snapshot of seedSnapshots(scenario, disks, settings, now)) {
    state.snapshots.set(snapshot.snapshotId, snapshot);
  }

  const faults = new FaultPlan();
  scenario.faults.errors.forEach((fault) => faults.addError(fault));
  scenario.faults.latencies.forEach((fault) => faults.addLatency(fault));
  scenario.faults.drops.forEach((fault) => faults.addDrop(fault));
  scenario.faults.snapshotFailures.forEach((fault) => faults.addSnapshotFailure(fault));
  faults.setImdsHang(scenario.faults.imdsHang);

  const issuer = new CredentialIssuer(clock, settings);
  return {
    clock,
    state,
    issuer,
    gateway: new Gateway(clock, issuer),
    faults,
    flowControl: new FlowControl(settings),
    clientTokens: new ClientTokenRegistry(),
    log: new RequestLog(settings.requestLogLimit),
    actions: actionRegistry(),
  };
}
