-- wrk script: authenticated GETs, and p50/p95/p99 latency and error counts printed at the end.
local token = os.getenv("LOAD_TOKEN")
wrk.headers["Authorization"] = "Token " .. token

done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f errors=%d"
      .. " (non-2xx %d, socket %d)\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    errors, summary.errors.status, errors - summary.errors.status))
end
