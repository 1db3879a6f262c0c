/**
 * Metric names in PromQL expressions, so that a typo (`http_request_total`) fails CI: promtool
 * accepts any well-formed name, and an alert on a metric nobody exports simply never fires.
 */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'offset',
  'bool',
  'inf',
  'nan',
]);

export function metricNames(expression: string): string[] {
  const stripped = expression
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, ' ') // string literals
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // range and subquery selectors
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // label lists
    .replace(/\b\d+(\.\d+)?(e[+-]?\d+)?(ms|[smhdwy])?\b/gi, ' '); // numbers and durations
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const rest = stripped.slice((match.index ?? 0) + match[0].length).trimStart();
    if (rest.startsWith('(')) continue; // a function or aggregation
    if (KEYWORDS.has(match[0].toLowerCase())) continue;
    names.add(match[0]);
  }
  return [...names].sort();
}

/** The apps' core metrics, each charted on the dashboard (docs/observability.md#metrics; histograms add _bucket, _sum, _count). */
export const CORE_METRICS = {
  counters: [
    'http_requests_total',
    'grpc_server_handled_total',
    'user_registrations_total',
    'user_logins_total',
    'token_refresh_total',
    'rate_limit_rejections_total',
    'events_published_total',
    'audit_cleanup_deleted_total',
    // account security (README, "Two-factor authentication")
    'mfa_verifications_total',
    // the mail courier (docs/mail.md, "Metrics and alerts")
    'mail_messages_total',
    // the read cache (docs/caching.md)
    'read_cache_lookups_total',
  ],
  gauges: ['outbox_pending_events', 'mail_queue_pending', 'mail_queue_oldest_due_age_seconds', 'mail_courier_leader', 'read_cache_current'],
  histograms: [
    'http_request_duration_seconds',
    'grpc_server_handling_seconds',
    'password_hash_duration_seconds',
    'mail_delivery_attempts',
    'mail_send_duration_seconds',
  ],
  /** Exported as a gauge or a histogram: the rules accept either form. */
  gaugeOrHistogram: ['event_publish_lag_seconds'],
};

/** Metrics from outside the apps' own code that the rules and the dashboard may use. */
export const OTHER_KNOWN_METRICS = [
  // Prometheus itself
  'up',
  // the cleanup worker's pushed run metrics (besides audit_cleanup_deleted_total)
  'audit_cleanup_run_duration_seconds',
  'audit_cleanup_last_success_timestamp_seconds',
  // prom-client default Node metrics
  'process_resident_memory_bytes',
  'process_cpu_seconds_total',
  'nodejs_eventloop_lag_p99_seconds',
  // kube-state-metrics
  'kube_pod_container_status_restarts_total',
  'kube_deployment_status_replicas_unavailable',
  'kube_horizontalpodautoscaler_status_current_replicas',
  'kube_horizontalpodautoscaler_spec_max_replicas',
  'kube_job_status_failed',
  'kube_cronjob_status_last_successful_time',
];

const histogramSeries = (name: string): string[] => [`${name}_bucket`, `${name}_sum`, `${name}_count`];

export const CORE_METRIC_NAMES: string[] = [
  ...CORE_METRICS.counters,
  ...CORE_METRICS.gauges,
  ...CORE_METRICS.histograms,
  ...CORE_METRICS.gaugeOrHistogram,
];

export const KNOWN_METRICS = new Set<string>([
  ...CORE_METRICS.counters,
  ...CORE_METRICS.gauges,
  ...CORE_METRICS.histograms.flatMap(histogramSeries),
  ...CORE_METRICS.gaugeOrHistogram.flatMap((name) => [name, ...histogramSeries(name)]),
  ...OTHER_KNOWN_METRICS,
]);

/** The core metric a series name belongs to (`http_request_duration_seconds_bucket` → its histogram). */
export const coreMetricOf = (series: string): string | undefined =>
  CORE_METRIC_NAMES.find((name) => series === name || histogramSeries(name).includes(series));

export const unknownMetrics = (expression: string): string[] => metricNames(expression).filter((name) => !KNOWN_METRICS.has(name));
