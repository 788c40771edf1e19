-- GET requests cycling through a file of paths, one a line.
--   wrk ... -s bench/wrk/paths.lua URL -- PATHS_FILE THREADS [COOKIE]
-- COOKIE (optional) is sent with every request, for the pages of a logged-in account.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local requests, count

function init(args)
   local headers = {["User-Agent"] = "civic-load-bench"}
   if args[3] and args[3] ~= "" then
      headers["Cookie"] = args[3]
   end
   count = tonumber(args[2]) or 1
   requests = {}
   for i, path in ipairs(read_lines(args[1])) do
      requests[i] = wrk.format("GET", path, headers)
   end
end

function request()
   -- A list shorter than the run cycles: wrapping is expected here, not a shortage.
   local index = (id + position * count) % #requests + 1
   position = position + 1
   sent = sent + 1
   return requests[index]
end

-- Answers served from the pages kept for anonymous visitors (civic/core/pagecache.py).
function response(status, headers, body)
   if headers["X-Page-Cache"] == "hit" then
      kept = kept + 1
   end
end
