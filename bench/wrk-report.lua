-- wrk hook for bench/run.sh: after the run, one machine-readable line with exact counts
-- (wrk's own summary rounds bytes and latencies to human units). Runs once, in the main
-- thread, so it costs nothing per request.
done = function(s, lat, req)
	io.write(string.format(
		"BENCH requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d " ..
		"status=%d timeout=%d p50_us=%d p99_us=%d\n",
		s.requests, s.duration, s.bytes, s.errors.connect, s.errors.read, s.errors.write,
		s.errors.status, s.errors.timeout, lat:percentile(50), lat:percentile(99)))
end
