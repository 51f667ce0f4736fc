export { notifySystemd } from './notify-systemd.js';
export type { NotifyResult, SystemdState } from './notify-systemd.js';
