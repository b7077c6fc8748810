-- `make loadtest`'s readers: cycle through the public paths in the file named after `--`, count every
-- 5xx answer (wrk itself only counts "non-2xx or 3xx"), and report like the benchmark (report.lua).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")
local report = done

local threads = {}
local paths = {}
local counter = 0
server_errors = 0 -- global: done() reads each thread's count with thread:get()

setup = function(thread)
  threads[#threads + 1] = thread
end

init = function(args)
  for line in io.lines(args[1]) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  counter = math.random(#paths)
end

request = function()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end

response = function(status, headers, body)
  if status >= 500 then server_errors = server_errors + 1 end
end

done = function(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("server_errors") end
  io.write(string.format("LOADTEST_5XX %d\n", total))
  report(summary, latency, requests)
end
