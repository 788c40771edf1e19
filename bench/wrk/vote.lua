-- Vote POSTs with CSRF, each a new (resident, idea) pair: the file has one vote a line,
--   POST_ID <TAB> CSRF_TOKEN <TAB> COOKIE
-- as harvested by bench/load.py from logged-in sessions.
--   wrk ... -s bench/wrk/vote.lua URL -- VOTES_FILE THREADS

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local votes, count

function init(args)
   count = tonumber(args[2]) or 1
   votes = {}
   for i, line in ipairs(read_lines(args[1])) do
      local post_id, token, cookie = line:match("^(%d+)\t([^\t]+)\t(.+)$")
      assert(post_id, "malformed vote line " .. i)
      votes[i] = wrk.format("POST", "/posts/" .. post_id .. "/vote", {
         ["User-Agent"] = "civic-load-bench",
         ["Cookie"] = cookie,
         ["Content-Type"] = "application/x-www-form-urlencoded",
      }, "csrf_token=" .. token)
   end
end

function request()
   return votes[next_index(#votes, count)]
end
