-- wrk script for scripts/bench/compare.sh: the ConfirmSignUp request that oha and cogbench
-- send too (same method, headers and body), and one machine-readable result line at the end.
--
--   wrk -t2 -c16 -d10s -s scripts/bench/confirm.lua http://127.0.0.1:9240/

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
wrk.headers["X-Amz-Target"] = "AWSCognitoIdentityProviderService.ConfirmSignUp"
wrk.body = '{"ClientId":"bench0client0id0000000000000","Username":"bench-user","ConfirmationCode":"123456"}'

-- Printed after wrk's own report, on one line that starts with "bench-json: ".
-- Latencies in microseconds; duration_us is the measured run time.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'bench-json: {"requests":%d,"duration_us":%d,"p50_us":%.1f,"p99_us":%.1f,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
