/**
 * Bench-only preload (`node --import bench/eld-probe.mjs`): an event-loop delay histogram of its
 * own in the daemon, read and reset over a unix socket named by XDS_BENCH_ELD_SOCKET. Unlike
 * `/metrics` (whose scrape resets prom-client's histogram early and then keeps the loop busy
 * rendering every metric, so the scrape's own tail lands in the next interval), a read here costs
 * the daemon one small socket write: the bench can reset it just before a change and read it just
 * after the last stream got its answer, so the window holds the push and nothing of the bench.
 * Answers one line of JSON per line received: {"max":ms,"p99":ms,"count":n,"gaps":[[startUs,ms],…]},
 * then resets. Values include up to one resolution (2 ms) of timer period, as monitorEventLoopDelay's do.
 * `gaps`: where the loop stood still, each run of 5 ms or more between two turns of a 2 ms JS
 * interval, with its start on the monotonic clock (µs, the clock of --cpu-prof timestamps), so the
 * samples of exactly that stall can be picked out of a profile (bench/cpuprofile-stalls.ts).
 */
import { createServer } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const path = process.env.XDS_BENCH_ELD_SOCKET;
if (path) {
  const h = monitorEventLoopDelay({ resolution: 2 });
  h.enable();
  let gaps = [];
  let last = process.hrtime.bigint();
  setInterval(() => {
    const now = process.hrtime.bigint();
    const us = Number((now - last) / 1000n);
    if (us >= 5000 && gaps.length < 10_000) gaps.push([Number(last / 1000n), us / 1000]);
    last = now;
  }, 2).unref();
  const server = createServer((sock) => {
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        buf = buf.slice(i + 1);
        sock.write(`${JSON.stringify({ max: h.max / 1e6, p99: h.percentile(99) / 1e6, count: h.count, gaps })}\n`);
        h.reset();
        gaps = [];
      }
    });
    sock.on('error', () => undefined);
  });
  server.listen(path);
  server.unref();
}
