-- wrk script for bench/run.sh: every request creates a communication (POST
-- /api/v1/communications with the JSON in $BENCH_BODY; the Bearer token comes from wrk -H).
-- Every answer must be 201: the others are counted, and the first one kept, per thread; the
-- summary line adds them up (created=, not201=, first_bad=) beside wrk-report.lua's fields.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY") or error("BENCH_BODY is not set")
wrk.headers["Content-Type"] = "application/json"

local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	created = 0
	not201 = 0
	first_bad = ""
end

function response(status, headers, body)
	if status == 201 then
		created = created + 1
	else
		not201 = not201 + 1
		if first_bad == "" then
			first_bad = status .. " " .. string.gsub(string.sub(body or "", 1, 200), "%s", " ")
		end
	end
end

function done(s, lat, req)
	local ok, bad, first = 0, 0, ""
	for _, t in ipairs(threads) do
		ok = ok + t:get("created")
		bad = bad + t:get("not201")
		if first == "" then first = t:get("first_bad") end
	end
	io.write(string.format(
		"BENCH requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d " ..
		"status=%d timeout=%d p50_us=%d p99_us=%d created=%d not201=%d\n",
		s.requests, s.duration, s.bytes, s.errors.connect, s.errors.read, s.errors.write,
		s.errors.status, s.errors.timeout, lat:percentile(50), lat:percentile(99), ok, bad))
	if first ~= "" then io.write("BENCH first_bad=" .. first .. "\n") end
end
