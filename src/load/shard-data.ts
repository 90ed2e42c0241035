// A shard's step as report.json keeps it for a merge: the histograms encoded, the band sums, the run's unloaded service time so far.
import type { StepMeasurement } from './engine.js';
import type { ShardStepData } from './report.js';
import { encodeHistogram, type EncodedParts, type ServiceBand } from './stats.js';

export function shardStepData(measured: StepMeasurement, encoded: EncodedParts, unloaded: ServiceBand | null): ShardStepData {
  return {
    windowSec: measured.windowSec,
    latency: encodeHistogram(measured.histogram),
    service: measured.serviceHistogram ? encodeHistogram(measured.serviceHistogram) : null,
    halves: measured.halves && encoded.halves ? { halfSec: measured.halves.halfSec, ...encoded.halves } : null,
    seconds: encoded.seconds,
    bands: encoded.bands,
    unloaded: unloaded && { count: unloaded.count, meanMs: unloaded.meanMs },
  };
}
