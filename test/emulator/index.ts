import { EmulatorControl } from './control.js';
import { createControlHandler } from './control-routes.js';
import { createCore } from './core.js';
import { createEcsHandler } from './ecs-server.js';
import { formatHostPort, listen } from './http-listener.js';
import { createImdsHandler } from './imds-server.js';
import { parseScenario, type Scenario } from './scenario.js';

export { ApiError } from './api-error.js';
export type { ClockSettings, ClockState } from './clock.js';
export { EmulatorControl } from './control.js';
export type { DiskChange, SnapshotView } from './control.js';
export type {
  DropFault,
  ErrorFault,
  FaultState,
  LatencyFault,
  SnapshotFailureFault,
} from './faults.js';
export type { DiskRecord, DiskStatus, SnapshotUsage } from './records.js';
export type { RecordedImdsRequest, RecordedRequest, RequestFilter } from './request-log.js';
export { loadScenarioFile, parseScenario } from './scenario.js';
export type { ResolvedScenario, Scenario } from './scenario.js';
export type { EmulatorSettings } from './settings.js';
export type { IssuedCredentials } from './sts.js';

/** Where the two listeners bind and which scenario they serve. */
export interface EmulatorOptions {
  /** Metadata service address; default 127.0.0.1 on a free port. */
  imds?: { host: string; port: number };
  /** ECS API address (also serves `/_emulator/`); default 127.0.0.1 on a free port. */
  ecs?: { host: string; port: number };
  /** Instance, disks, settings and faults; default: the seeded instance. */
  scenario?: Scenario;
}

/** A running emulator. */
export interface Emulator {
  /** Base URL of the metadata service, e.g. `http://127.0.0.1:34567`. */
  imdsUrl: string;
  /** `host:port` of the ECS API, the form the SDK's `Config.endpoint` takes. */
  ecsEndpoint: string;
  instance: {
    instanceId: string;
    regionId: string;
    zoneId: string;
    hostname: string;
    roleName: string;
  };
  control: EmulatorControl;
  /** Stops both listeners and drops open connections, hung ones included. */
  close(): Promise<void>;
}

/** Starts the metadata service and the ECS API emulator; resolves once both listen. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const core = createCore(parseScenario(options.scenario ?? {}));
  const control = new EmulatorControl(core);
  const imdsAddress = options.imds ?? { host: '127.0.0.1', port: 0 };
  const ecsAddress = options.ecs ?? { host: '127.0.0.1', port: 0 };

  const imds = await listen(imdsAddress.host, imdsAddress.port, createImdsHandler(core));
  let ecs;
  try {
    ecs = await listen(
      ecsAddress.host,
      ecsAddress.port,
      createEcsHandler(core, createControlHandler(control)),
    );
  } catch (error) {
    await imds.close();
    throw error;
  }

  const { instance } = core.state;
  return {
    imdsUrl: `http://${formatHostPort(imds.host, imds.port)}`,
    ecsEndpoint: formatHostPort(ecs.host, ecs.port),
    instance: {
      instanceId: instance.instanceId,
      regionId: instance.regionId,
      zoneId: instance.zoneId,
      hostname: instance.hostname,
      roleName: instance.roleName,
    },
    control,
    close: async () => {
      await Promise.all([imds.close(), ecs.close()]);
    },
  };
}
