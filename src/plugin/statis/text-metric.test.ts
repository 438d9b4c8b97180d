import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Gauge, Registry } from 'prom-client';
import { escapeLabelValue, sampleLine, TextGauge, TextRegistry } from './text-metric.js';

const samples = [
  { labels: { namespace: 'default', service: 'plain' }, value: 3 },
  { labels: { namespace: 'we"ird', service: 'back\\slash\nnewline' }, value: 0.5 },
  { labels: { namespace: 'x', service: 'inf' }, value: Number.POSITIVE_INFINITY },
];

class Fixed extends TextGauge {
  lines(shared: string): string {
    return samples
      .map((s) => sampleLine(this.name, `namespace="${escapeLabelValue(s.labels.namespace)}",service="${escapeLabelValue(s.labels.service)}"`, shared, s.value))
      .join('\n');
  }
  samples() {
    return samples;
  }
}

for (const defaults of [{}, { polaris_server_instance: '127.0.0.1:8090' }]) {
  test(`a TextGauge writes what prom-client writes for the same samples (default labels ${JSON.stringify(defaults)})`, async () => {
    const ref = new Registry();
    ref.setDefaultLabels(defaults);
    const g = new Gauge({ name: 'instance_count', help: 'instance total\nnumber \\ x', labelNames: ['namespace', 'service'], registers: [ref] });
    for (const s of samples) g.set({ ...s.labels }, s.value); // prom-client adds the default labels to the object it gets
    // A labelled gauge without samples (no services yet) writes only its HELP and TYPE lines.
    const empty = new Gauge({ name: 'empty_gauge', help: 'nothing', labelNames: ['namespace'], registers: [ref] });
    empty.set({ namespace: 'gone' }, 1);
    empty.reset();

    const ours = new TextRegistry();
    ours.setDefaultLabels(defaults);
    ours.registerText(new Fixed('instance_count', 'instance total\nnumber \\ x'));
    ours.registerText(new (class extends TextGauge {
      lines(): string {
        return '';
      }
      samples() {
        return [];
      }
    })('empty_gauge', 'nothing'));
    assert.equal(await ours.metrics(), await ref.metrics());
    assert.deepEqual(await ours.getMetricsAsJSON(), await ref.getMetricsAsJSON());
  });
}
