import { Counter, Histogram, type Registry } from 'prom-client';
import { computedGauge } from './prometheus-statis.js';

/**
 * polaris-server's system metrics (`common/metrics` sys metrics) for what polaris-ts has:
 *
 * - `instance_regis_cost_time` (histogram, ms): submission to answer of each batched registration;
 * - `instance_regis_task_expire` (counter): registrations dropped for outliving the register
 *   batch's task life (`dropExpireTask`);
 * - `redis_read_failure` / `redis_write_failure` (gauges): failed heartbeat reads / writes of the
 *   current burst, 0 again after a quiet minute, as polaris-server resets them;
 * - `redis_alive_status` (gauge): 1 while the Redis connection is up, else 0;
 * - `polaris_redis_call_seconds` (histogram by `op`, `outcome`): polaris-ts' own, the latency of
 *   each heartbeat-store call to Redis (one pipelined round trip, retries included).
 *
 * The Redis series exist only with the `heartbeatRedis` checker, the registration ones only with
 * batched registration.
 */
export interface SysMetricSources {
  registrations?: { observeCost(fn: (ms: number) => void): () => void; dropped(): number };
  redis?: {
    recentFailures(): { read: number; write: number };
    isAvailable(): boolean;
    observeCalls(fn: (call: { op: string; ok: boolean; ms: number }) => void): () => void;
  };
}

const MS_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

export function registerSysMetrics(registry: Registry, src: SysMetricSources): void {
  const { registrations, redis } = src;
  if (registrations) {
    const cost = new Histogram({
      name: 'instance_regis_cost_time',
      help: 'instance regis cost time',
      buckets: MS_BUCKETS,
      registers: [registry],
    });
    registrations.observeCost((ms) => cost.observe(ms));
    new Counter({
      name: 'instance_regis_task_expire',
      help: 'instance regis task expire that server drop it',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(registrations.dropped());
      },
    });
  }
  if (redis) {
    const g = (name: string, help: string, value: () => number) => computedGauge(registry, name, help, [], (set) => set({}, value()));
    g('redis_read_failure', 'polaris exec redis read operation failure', () => redis.recentFailures().read);
    g('redis_write_failure', 'polaris exec redis write operation failure', () => redis.recentFailures().write);
    g('redis_alive_status', 'polaris redis alive status', () => (redis.isAvailable() ? 1 : 0));
    const calls = new Histogram({
      name: 'polaris_redis_call_seconds',
      help: 'Seconds per heartbeat-store call to Redis (one pipelined round trip, retries included)',
      labelNames: ['op', 'outcome'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    redis.observeCalls((c) => calls.observe({ op: c.op, outcome: c.ok ? 'ok' : 'error' }, c.ms / 1000));
  }
}
