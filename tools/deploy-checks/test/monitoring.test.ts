import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { find } from '../src/k8s-model';
import { renderKustomization } from '../src/kustomize';
import { headingAnchors } from '../src/markdown';
import { metricNames, CORE_METRIC_NAMES, coreMetricOf, unknownMetrics } from '../src/promql';
import { K8S_ROOT, LONG_RUNNING_APPS, MONITORING_ROOT, REPOSITORY_ROOT } from '../src/repository';

/** Alert rules (checked and unit-tested by promtool) and the Grafana dashboard, over the metrics of docs/observability.md. */
const RULES = path.join(MONITORING_ROOT, 'alerts/pandora-user-service.rules.yml');
const RULE_TESTS = path.join(MONITORING_ROOT, 'alerts/tests.yml');
const DASHBOARD = path.join(MONITORING_ROOT, 'dashboards/pandora-user-service.json');
const RUNBOOK = path.join(REPOSITORY_ROOT, 'docs/runbooks/deployment.md');

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const groups = (): Array<{ name: string; rules: AlertRule[] }> => parse(fs.readFileSync(RULES, 'utf8')).groups;
const alerts = (): AlertRule[] => groups().flatMap((group) => group.rules);

const promtoolBinary = (): string => process.env.PROMTOOL ?? 'promtool';
function promtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(promtoolBinary(), args, { encoding: 'utf8', cwd: REPOSITORY_ROOT });
  if (result.error)
    throw new Error(`promtool is not available (${result.error.message}); "npm run provision" installs it (from Debian prometheus)`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

let workdir: string;
beforeAll(() => {
  workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'monitoring-'));
});
afterAll(() => fs.rmSync(workdir, { recursive: true, force: true }));

describe('the Prometheus alert rules', () => {
  it('pass promtool check rules', () => {
    const result = promtool('check', 'rules', RULES);
    expect(result).toEqual({ status: 0, output: expect.stringMatching(/SUCCESS: \d+ rules found/) });
  });

  it('pass their promtool unit tests (each alert fires on its situation, the ratios ignore probes)', () => {
    const result = promtool('test', 'rules', RULE_TESTS);
    expect(result).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  }, 90_000);

  it('are each proven to fire by at least one unit test', () => {
    const tests = parse(fs.readFileSync(RULE_TESTS, 'utf8')).tests as Array<{
      alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }>;
    }>;
    const proven = new Set(
      tests.flatMap((test) => (test.alert_rule_test ?? []).filter((check) => check.exp_alerts.length > 0).map((check) => check.alertname)),
    );
    expect(
      alerts()
        .map((rule) => rule.alert)
        .filter((name) => !proven.has(name)),
    ).toEqual([]);
  });

  it('cover what the issue asks for: 5xx rate, p99 latency, login failures, outbox lag, cleanup failed or missing, relay down', () => {
    expect(alerts().map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        'UserApiHigh5xxRate',
        'UserApiHighLatencyP99',
        'LoginFailureSpike',
        'EventPublishLagHigh',
        'AuditCleanupFailed',
        'AuditCleanupMissing',
        'EventRelayDown',
      ]),
    );
  });

  it('have a severity, a summary, a description and a runbook section that exists', () => {
    const anchors = headingAnchors(fs.readFileSync(RUNBOOK, 'utf8'));
    const problems = alerts().flatMap((rule) => {
      const found: string[] = [];
      if (!['critical', 'warning', 'info'].includes(rule.labels?.severity ?? ''))
        found.push(`${rule.alert}: severity ${rule.labels?.severity}`);
      for (const annotation of ['summary', 'description', 'runbook_url'])
        if (!rule.annotations?.[annotation]) found.push(`${rule.alert}: no ${annotation}`);
      const [document, anchor] = (rule.annotations?.runbook_url ?? '').split('#');
      if (document !== 'docs/runbooks/deployment.md' || !anchors.has(anchor))
        found.push(`${rule.alert}: runbook anchor #${anchor} does not exist`);
      return found;
    });
    expect(problems).toEqual([]);
  });

  it('use only metrics the apps, kube-state-metrics or Prometheus export', () => {
    expect(alerts().flatMap((rule) => unknownMetrics(rule.expr).map((name) => `${rule.alert}: ${name}`))).toEqual([]);
  });

  it('select the apps by the job names the scrape configurations produce', () => {
    // Kubernetes: job = the pod's app.kubernetes.io/name label; Compose: one job per app.
    const scrape = parse(fs.readFileSync(path.join(MONITORING_ROOT, 'prometheus-scrape.yml'), 'utf8'));
    const relabel = scrape.scrape_configs[0].relabel_configs as Array<{ source_labels: string[]; target_label: string }>;
    expect(relabel).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], target_label: 'job' }),
      ]),
    );
    const composeJobs = parse(fs.readFileSync(path.join(REPOSITORY_ROOT, 'deployments/compose/prometheus.yml'), 'utf8')).scrape_configs.map(
      (job: { job_name: string }) => job.job_name,
    );
    const jobsInRules = new Set(
      alerts().flatMap((rule) => [...rule.expr.matchAll(/(?<!\w)job=~?"([^"]+)"/g)].flatMap((match) => match[1].split('|'))),
    );
    for (const job of jobsInRules) {
      expect(LONG_RUNNING_APPS).toContain(job);
      expect(composeJobs).toContain(job);
      const pods = renderKustomization(path.join(K8S_ROOT, `apps/${job}/overlays/prod`));
      const deployment = find(pods, 'Deployment', job) as
        { spec: { template: { metadata: { labels: Record<string, string> } } } } | undefined;
      expect(deployment?.spec.template.metadata.labels['app.kubernetes.io/name']).toBe(job);
    }
  });

  it('are rejected by promtool when an expression does not parse', () => {
    const broken = path.join(workdir, 'broken.rules.yml');
    fs.writeFileSync(
      broken,
      fs.readFileSync(RULES, 'utf8').replace('sum by (namespace) (up{job="user-api"}) == 0', 'sum by (namespace) (up{job="user-api"} == 0'),
    );
    const result = promtool('check', 'rules', broken);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/UserApiDown|parse error/);
  });

  it('fail their unit tests when a threshold is loosened so far that the 5xx alert stays silent', () => {
    fs.writeFileSync(
      path.join(workdir, 'pandora-user-service.rules.yml'),
      fs.readFileSync(RULES, 'utf8').replace(') > 0.05\n', ') > 0.5\n'),
    );
    // Only the 5xx test cases: the point is that they bite, and the whole file takes seconds.
    const suite = parse(fs.readFileSync(RULE_TESTS, 'utf8'));
    suite.tests = suite.tests.filter((test: { alert_rule_test?: Array<{ alertname: string }> }) =>
      test.alert_rule_test?.some((check) => check.alertname === 'UserApiHigh5xxRate'),
    );
    fs.writeFileSync(path.join(workdir, 'tests.yml'), stringify(suite));
    const result = promtool('test', 'rules', path.join(workdir, 'tests.yml'));
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/alertname: UserApiHigh5xxRate/);
  });

  it('catch a misspelt metric name, which promtool alone would accept', () => {
    expect(unknownMetrics('sum(rate(http_request_total{job="user-api"}[5m])) > 0')).toEqual(['http_request_total']);
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{route!~"/health"}[5m]))) > 1 and on () absent(up)',
      ),
    ).toEqual(['http_request_duration_seconds_bucket', 'up']);
  });
});

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid?: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Array<{ expr: string; datasource?: { uid?: string } }>;
}

describe('the Grafana dashboard', () => {
  const dashboard = () =>
    JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as { uid: string; panels: Panel[]; templating: { list: Array<{ name: string }> } };

  it('is valid JSON with unique panel ids, a datasource variable and a namespace filter', () => {
    const { uid, panels, templating } = dashboard();
    expect(uid).toBe('pandora-user-service');
    expect(new Set(panels.map((panel) => panel.id)).size).toBe(panels.length);
    expect(templating.list.map((variable) => variable.name)).toEqual(['datasource', 'namespace']);
    for (const panel of panels) {
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
      if (panel.type === 'row') continue;
      expect({ panel: panel.title, datasource: panel.datasource?.uid }).toEqual({ panel: panel.title, datasource: '${datasource}' });
      for (const target of panel.targets ?? [])
        expect({ panel: panel.title, filtered: target.expr.includes('namespace=~"$namespace"') }).toEqual({
          panel: panel.title,
          filtered: true,
        });
    }
  });

  it('charts every exported metric and only metrics that exist', () => {
    const exprs = dashboard().panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
    expect(exprs.flatMap(unknownMetrics)).toEqual([]);
    const charted = new Set(exprs.flatMap(metricNames).map(coreMetricOf).filter(Boolean));
    expect(CORE_METRIC_NAMES.filter((name) => !charted.has(name))).toEqual([]);
  });
});
