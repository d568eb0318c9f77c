import { DEFAULT_PORTS, SERVICES, type ServiceName } from '#libs/contracts';

export type AppName = ServiceName | 'gateway';

export interface ServiceConfig {
  service: AppName;
  /** Every app this OS process runs: this one, or the group of a combined process (CUENTAS_APPS, see scripts/host.ts). */
  processApps: AppName[];
  nodeEnv: string;
  port: number;
  host: string;
  databaseUrl: string;
  dbPoolSize: number;
  /** Name repeated statements so each connection parses them once; off behind a pooler that cannot keep them. */
  dbPreparedStatements: boolean;
  redisUrl: string;
  /** Redis Cluster seed nodes (host:port); when set, REDIS_URL only lends credentials and TLS. */
  redisClusterNodes: string[] | null;
  /** BullMQ key prefix: lets several systems (or test runs) share one Redis. */
  redisPrefix: string;
  jwtSecret: string;
  logLevel: string;
  /** Length of a day in ms; small values run a year of assessments in seconds. */
  dayMs: number;
  highValueThresholdCents: number;
  dualApprovalThresholdCents: number;
  assessmentGraceDays: number;
  eventAttempts: number;
  eventBackoffMs: number;
  relayPollMs: number;
  /** How often each source's relay tells audit its head (`SOURCE_HEAD_JOB`). */
  relayHeadEveryMs: number;
  rateLimitPerMinute: number;
  /** Service base URLs, used by the gateway. */
  upstreams: Record<ServiceName, string>;
  /** Ed25519 PKCS8 PEM used by audit to sign checkpoints; generated for development when absent. */
  auditSigningKey: string | null;
  auditCheckpointEveryMs: number;
  auditGapGraceMs: number;
  /** Where JSON logs go; stdout unless a test captures them. Not read from the environment. */
  logStream?: NodeJS.WritableStream;
}

const DEV_SECRET = 'cuentas-development-secret-change-me-0000';
type Env = Record<string, string | undefined>;

/** Reads and validates configuration; throws one error listing every problem (fail fast at boot). */
export function loadConfig(service: AppName, env: Env = process.env, overrides: Partial<ServiceConfig> = {}): ServiceConfig {
  const problems: string[] = [];
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (raw !== 'true' && raw !== 'false') problems.push(`${name} must be true or false`);
    return raw === 'true';
  };
  const int = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const url = (name: string, fallback: string, protocols: string[]): string => {
    const raw = env[name] || fallback;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) problems.push(`${name} must use ${protocols.join(' or ')} (got ${parsed.protocol})`);
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return raw;
  };
  const appPort = (app: AppName) => int(appPortVariable(app), DEFAULT_PORTS[app], 0, 65535);
  const processApps = appList(env.CUENTAS_APPS, problems) ?? [service];
  if (!processApps.includes(service)) problems.push(`CUENTAS_APPS must include ${service}`);
  const nodeEnv = env.NODE_ENV || 'development';
  const jwtSecret = env.JWT_SECRET || (nodeEnv === 'production' ? '' : DEV_SECRET);
  if (jwtSecret.length < 32) problems.push('JWT_SECRET must be set to at least 32 characters');
  const upstreams = Object.fromEntries(
    SERVICES.map((s) => [
      s,
      url(`${s.toUpperCase()}_URL`, `http://127.0.0.1:${appPort(s)}`, ['http:', 'https:']),
    ]),
  ) as Record<ServiceName, string>;

  const config: ServiceConfig = {
    service,
    processApps,
    nodeEnv,
    // A combined process gives each app its own port (<APP>_PORT); PORT would name one port for all.
    port: processApps.length > 1 ? appPort(service) : int('PORT', appPort(service), 0, 65535),
    host: env.HOST || '0.0.0.0',
    databaseUrl: url('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/cuentas', ['postgres:', 'postgresql:']),
    dbPoolSize: int('DB_POOL_SIZE', 10, 1, 200),
    dbPreparedStatements: bool('DB_PREPARED_STATEMENTS', true),
    redisUrl: url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    redisClusterNodes: env.REDIS_CLUSTER_NODES ? env.REDIS_CLUSTER_NODES.split(',').map((n) => n.trim()).filter(Boolean) : null,
    redisPrefix: env.REDIS_PREFIX || (env.REDIS_CLUSTER_NODES ? '{cuentas}' : 'cuentas'),
    jwtSecret,
    logLevel: env.LOG_LEVEL || 'info',
    dayMs: int('DAY_MS', 86_400_000, 1),
    highValueThresholdCents: int('HIGH_VALUE_THRESHOLD_CENTS', 500_000_000, 1),
    dualApprovalThresholdCents: int('DUAL_APPROVAL_THRESHOLD_CENTS', 100_000_000, 1),
    assessmentGraceDays: int('ASSESSMENT_GRACE_DAYS', 14, 0, 365),
    eventAttempts: int('EVENT_ATTEMPTS', 8, 1, 100),
    eventBackoffMs: int('EVENT_BACKOFF_MS', 500, 1),
    relayPollMs: int('RELAY_POLL_MS', 1000, 10),
    relayHeadEveryMs: int('RELAY_HEAD_EVERY_MS', 5000, 100),
    rateLimitPerMinute: int('RATE_LIMIT_PER_MINUTE', 600, 1),
    upstreams,
    auditSigningKey: env.AUDIT_SIGNING_KEY || null,
    auditCheckpointEveryMs: int('AUDIT_CHECKPOINT_EVERY_MS', 60_000, 100),
    auditGapGraceMs: int('AUDIT_GAP_GRACE_MS', 30_000, 0),
    ...overrides,
  };
  // BullMQ keeps each queue's keys in one slot only when the prefix has a hash tag.
  if (config.redisClusterNodes && !/\{[^}]+\}/.test(config.redisPrefix)) {
    problems.push('REDIS_PREFIX must contain a hash tag such as {cuentas} when REDIS_CLUSTER_NODES is set');
  }
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(config.logLevel)) {
    problems.push(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent`);
  }
  if (problems.length) {
    throw new Error(`Invalid configuration for ${service}:\n  - ${problems.join('\n  - ')}`);
  }
  return config;
}

/** Every app: the gateway and the services. */
export const APPS: readonly AppName[] = ['gateway', ...SERVICES];

/** `<APP>_PORT` for each app and its port: what puts every app of a combined process on its own port. */
export function appPortEnv(ports: Iterable<readonly [string, number | string]>): Record<string, string> {
  return Object.fromEntries([...ports].map(([app, port]) => [appPortVariable(app), String(port)]));
}

const appPortVariable = (app: string) => `${app.toUpperCase()}_PORT`;

/**
 * The apps in two processes, one per core of a small machine (scripts/host.ts): the services that
 * mostly consume events, and the gateway with the two that answer most of its requests.
 */
export const GROUPED_APPS: ReadonlyArray<readonly AppName[]> = [
  ['disbursements', 'assessments', 'audit'],
  ['gateway', 'proposals', 'reviews'],
];

/** CUENTAS_APPS, e.g. "gateway,proposals,reviews": known names, each once; undefined when unset. */
export function appList(raw: string | undefined, problems: string[]): AppName[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const apps = raw.split(',').map((a) => a.trim());
  const unknown = apps.filter((a) => !APPS.includes(a as AppName));
  if (unknown.length > 0) problems.push(`CUENTAS_APPS names unknown apps (${unknown.join(', ')}); known: ${APPS.join(', ')}`);
  if (new Set(apps).size !== apps.length) problems.push('CUENTAS_APPS names an app twice');
  return apps as AppName[];
}

export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
