/**
 * Types for parse-prometheus-text-format 1.1.1 (a dev dependency of the tests), which ships
 * none: the Prometheus text format parsed into prom2json-shaped families. Every number is
 * the text it was written as ("1", "+Inf", "1.5e-3").
 */
declare module 'parse-prometheus-text-format' {
  namespace parsePrometheusTextFormat {
    type Labels = Record<string, string>;
    /** A counter, gauge or untyped sample. */
    interface Sample { value: string; labels?: Labels; timestamp_ms?: string }
    /** A histogram's series: cumulative bucket counts keyed by their `le`, without `le` in its labels. */
    interface HistogramSample { buckets: Record<string, string>; count: string; sum: string; labels?: Labels }
    interface SummarySample { quantiles?: Record<string, string>; count: string; sum: string; labels?: Labels }
    type Family =
      | { name: string; help: string; type: 'COUNTER' | 'GAUGE' | 'UNTYPED'; metrics: Sample[] }
      | { name: string; help: string; type: 'HISTOGRAM'; metrics: HistogramSample[] }
      | { name: string; help: string; type: 'SUMMARY'; metrics: SummarySample[] };
  }
  function parsePrometheusTextFormat(text: string): parsePrometheusTextFormat.Family[];
  export = parsePrometheusTextFormat;
}
