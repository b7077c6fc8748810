-- The memory check's load: cycles through the URLs in the file named after `--`, many distinct pages
-- the way a crawler would, and reports like every other run (report.lua's `done`). The optional second
-- argument is where in the list to start, so a check made of several runs still goes round the list.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local paths = {}
local counter = 0

init = function(args)
  for line in io.lines(args[1]) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  counter = tonumber(args[2] or "0") % #paths
end

request = function()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end
