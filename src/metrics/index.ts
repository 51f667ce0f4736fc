export { callFailed, SelfsnapMetrics } from './selfsnap-metrics.js';
export type { ApiCallObservation, MetricsSources } from './selfsnap-metrics.js';
