// Every delivery's latency per event type against the deadline: the numbers the contract report's chart and table show, and the script that draws it.
import type { CaseRecord, ContractReport, DeliveryRecord } from '../../contract/results.js';
import { chartKit } from '../chart-kit.js';

/** How a delivery ended, as the chart colours it. */
export type LatencyKind = 'acknowledged' | 'other' | 'timeout' | 'error';

/** One delivery: its latency in ms (x) and its place in its type's strip (y: the type's index, spread by up to ±0.3). */
export interface LatencyPoint {
  x: number;
  y: number;
}

export interface TypeLatency {
  type: string;
  deliveries: number;
  /** Nearest-rank percentiles and the maximum, in ms; a timeout counts as the deadline. */
  p50: number;
  p95: number;
  max: number;
  timeouts: number;
  errors: number;
}

/** What the page script draws, embedded as JSON. */
export interface LatencyChartData {
  deadlineMs: number;
  /** In the order of the scenario's event types, then any other type the run sent. */
  types: TypeLatency[];
  points: Record<LatencyKind, LatencyPoint[]>;
  /** Deliveries of a case of several types whose own type this report does not record (written before it was). */
  untyped: number;
}

/** Where the judges of one delivery keep it: every check judging a case records the same deliveries. */
function deliveryKey(delivery: DeliveryRecord): string {
  const { request, outcome } = delivery;
  const headersMs = outcome.kind === 'response' ? outcome.headersMs : '';
  return [request.eventId ?? '', request.headers['digitalriver-signature'] ?? '', outcome.kind, outcome.durationMs, headersMs].join('|');
}

function kindOf(delivery: DeliveryRecord): LatencyKind {
  const { outcome } = delivery;
  if (outcome.kind === 'timeout') return 'timeout';
  if (outcome.kind === 'error') return 'error';
  return outcome.status >= 200 && outcome.status < 300 ? 'acknowledged' : 'other';
}

/** The delivery's type: its own where recorded, else its case's when the case is of one type. */
function typeOf(record: CaseRecord, delivery: DeliveryRecord): string | undefined {
  return delivery.request.eventType ?? (record.eventType.includes(',') ? undefined : record.eventType);
}

/** Spreads a strip's points over its height without randomness: the golden ratio's multiples, modulo 1. */
function spread(index: number): number {
  return Math.round((((index * 0.6180339887) % 1) - 0.5) * 0.6 * 1000) / 1000;
}

function percentile(sorted: readonly number[], share: number): number {
  return sorted[Math.max(0, Math.ceil(share * sorted.length) - 1)]!;
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

/** Each delivery the run made once (however many checks judged it), by type. */
export function latencyData(report: ContractReport): LatencyChartData {
  const deadlineMs = typeof report.settings.deadlineMs === 'number' ? report.settings.deadlineMs : 3000;
  const seen = new Set<string>();
  const byType = new Map<string, Array<{ ms: number; kind: LatencyKind }>>();
  for (const type of Array.isArray(report.settings.events) ? report.settings.events : []) if (typeof type === 'string') byType.set(type, []);
  let untyped = 0;
  for (const check of report.checks) {
    for (const record of check.cases) {
      for (const delivery of record.deliveries) {
        const key = deliveryKey(delivery);
        if (seen.has(key)) continue;
        seen.add(key);
        const type = typeOf(record, delivery);
        if (type === undefined) {
          untyped++;
          continue;
        }
        const kind = kindOf(delivery);
        const ms = kind === 'timeout' ? deadlineMs : delivery.outcome.durationMs;
        const list = byType.get(type) ?? [];
        list.push({ ms, kind });
        byType.set(type, list);
      }
    }
  }
  const points: LatencyChartData['points'] = { acknowledged: [], other: [], timeout: [], error: [] };
  const types: TypeLatency[] = [];
  for (const [type, deliveries] of byType) {
    if (deliveries.length === 0) continue;
    const y = types.length;
    deliveries.forEach(({ ms, kind }, index) => points[kind].push({ x: round(ms), y: Math.round((y + spread(index)) * 1000) / 1000 }));
    const sorted = deliveries.map(({ ms }) => ms).sort((a, b) => a - b);
    types.push({
      type,
      deliveries: deliveries.length,
      p50: round(percentile(sorted, 0.5)),
      p95: round(percentile(sorted, 0.95)),
      max: round(sorted[sorted.length - 1]!),
      timeouts: deliveries.filter(({ kind }) => kind === 'timeout').length,
      errors: deliveries.filter(({ kind }) => kind === 'error').length,
    });
  }
  return { deadlineMs, types, points, untyped };
}

/** Draws the strip chart: one row per event type, latency on a log axis, the deadline as a red dashed line. */
export const latencyScript = String.raw`(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('drhook-data').textContent);
  ${chartKit}
  var kinds = [
    { key: 'acknowledged', label: 'acknowledged (2xx)', color: 'rgba(26, 127, 55, 0.55)' },
    { key: 'other', label: 'other answer', color: 'rgba(9, 105, 218, 0.55)' },
    { key: 'timeout', label: 'timed out', color: 'rgba(149, 56, 0, 0.85)' },
    { key: 'error', label: 'connection error', color: 'rgba(130, 80, 223, 0.85)' }
  ];
  var last = data.types.length - 1;
  var datasets = kinds.filter(function (kind) { return data.points[kind.key].length > 0; }).map(function (kind) {
    return { label: kind.label, data: data.points[kind.key], backgroundColor: kind.color, borderColor: kind.color, pointRadius: 2.5, pointHoverRadius: 4, borderWidth: 0 };
  });
  datasets.push({
    label: 'p95', data: data.types.map(function (t, i) { return { x: t.p95, y: i }; }), type: 'scatter',
    pointStyle: 'line', rotation: 90, pointRadius: 12, borderWidth: 3, borderColor: '#1f2328', backgroundColor: '#1f2328'
  });
  datasets.push({
    label: 'deadline ' + data.deadlineMs + ' ms', data: [{ x: data.deadlineMs, y: -0.5 }, { x: data.deadlineMs, y: last + 0.5 }], type: 'line',
    borderColor: '#cf222e', backgroundColor: '#cf222e', borderDash: [6, 4], borderWidth: 2, pointRadius: 0, fill: false
  });
  var values = [data.deadlineMs];
  data.types.forEach(function (t) { values.push(Math.max(t.max, 0.1)); });
  kinds.forEach(function (kind) { data.points[kind.key].forEach(function (p) { if (p.x > 0) values.push(p.x); }); });
  draw('chart-type-latency', {
    type: 'scatter',
    data: { datasets: datasets },
    options: {
      parsing: false,
      scales: {
        x: logAxis(values, 'latency (ms, log scale)'),
        y: {
          type: 'linear', min: -0.5, max: last + 0.5, reverse: true,
          afterBuildTicks: function (axis) { axis.ticks = data.types.map(function (t, i) { return { value: i }; }); },
          ticks: { autoSkip: false, callback: function (value) { var t = data.types[value]; return t ? t.type : ''; } },
          grid: { display: false }
        }
      },
      plugins: {
        tooltip: { callbacks: {
          title: function (items) { var t = items.length ? data.types[Math.round(items[0].raw.y)] : undefined; return t ? t.type : ''; },
          label: function (context) { return context.dataset.label + ': ' + context.raw.x + ' ms'; }
        } }
      }
    }
  });
})();`;
