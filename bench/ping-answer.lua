-- wrk script for bench/pings.sh: every request answers one ping by its link (POST
-- /api/v1/pings/answer {"token", "challenge"}, no login), each with a token of its own: tokens
-- are single-use. They come from the file in $BENCH_TOKENS, one "TOKEN CHALLENGE" a line;
-- with $BENCH_WRK_THREADS threads, thread k takes lines k+1, k+1+n, ...
-- Every answer must be a 200 saying {"correct": true, "late": false}: the others are counted,
-- and the first one kept, per thread. A thread that runs out of tokens stops and says so
-- (exhausted=), which voids the run: wrk still divides by its full duration.
-- The summary line adds answered=, bad=, exhausted= to wrk-report.lua's fields.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local threads = {}
local nthreads = tonumber(os.getenv("BENCH_WRK_THREADS") or "") or error("BENCH_WRK_THREADS is not set")
local path = os.getenv("BENCH_TOKENS") or error("BENCH_TOKENS is not set")

function setup(thread)
	thread:set("index", #threads)
	table.insert(threads, thread)
end

function init(args)
	answered = 0
	bad = 0
	exhausted = 0
	first_bad = ""
	bodies = {}
	local n = 0
	for line in io.lines(path) do
		if n % nthreads == index then
			local token, challenge = line:match("^(%S+) (%S*)$")
			if token == nil then error("bad line in " .. path .. ": " .. line) end
			bodies[#bodies + 1] = '{"token":"' .. token .. '","challenge":"' .. challenge .. '"}'
		end
		n = n + 1
	end
	next_body = 1
end

function request()
	local body = bodies[next_body]
	if body == nil then
		-- Out of tokens: stop this thread. The request is still wanted; a used token is
		-- harmless (a 410) and exhausted= voids the run anyway.
		exhausted = 1
		wrk.thread:stop()
		body = bodies[#bodies] or '{"token":"","challenge":""}'
	else
		next_body = next_body + 1
	end
	return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
	if status == 200 and body:find('"correct":%s*true') and body:find('"late":%s*false') then
		answered = answered + 1
	else
		bad = bad + 1
		if first_bad == "" then
			first_bad = status .. " " .. string.gsub(string.sub(body or "", 1, 200), "%s", " ")
		end
	end
end

function done(s, lat, req)
	local ok, nbad, ex, first = 0, 0, 0, ""
	for _, t in ipairs(threads) do
		ok = ok + t:get("answered")
		nbad = nbad + t:get("bad")
		ex = ex + t:get("exhausted")
		if first == "" then first = t:get("first_bad") end
	end
	io.write(string.format(
		"BENCH requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d " ..
		"status=%d timeout=%d p50_us=%d p99_us=%d answered=%d bad=%d exhausted=%d\n",
		s.requests, s.duration, s.bytes, s.errors.connect, s.errors.read, s.errors.write,
		s.errors.status, s.errors.timeout, lat:percentile(50), lat:percentile(99), ok, nbad, ex))
	if first ~= "" then io.write("BENCH first_bad=" .. first .. "\n") end
end
