-- Shared by the request scripts: the per-thread position in a list of requests, and the done() hook
-- that prints the run's figures as one JSON line (read by bench/load.py).

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

-- The lines of a file, without empty ones.
function read_lines(path)
   local lines = {}
   for line in io.lines(path) do
      if line ~= "" then
         table.insert(lines, line)
      end
   end
   assert(#lines > 0, "no requests in " .. path)
   return lines
end

-- Thread `id` of `count` takes the entries id, id + count, id + 2 * count...: no two threads send the same
-- entry, and `wraps` tells that the list was too short for the run.
position, sent, wraps, kept = 0, 0, 0, 0

function next_index(size, count)
   local index = id + position * count
   position = position + 1
   sent = sent + 1
   if index >= size then
      wraps = wraps + 1
      index = index % size
   end
   return index + 1
end

function done(summary, latency, requests)
   local total_sent, total_wraps, total_kept = 0, 0, 0
   for _, thread in ipairs(threads) do
      total_sent = total_sent + (thread:get("sent") or 0)
      total_wraps = total_wraps + (thread:get("wraps") or 0)
      total_kept = total_kept + (thread:get("kept") or 0)
   end
   local errors = summary.errors
   io.write(string.format(
      'WRK_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "status_errors": %d, "connect_errors": %d, '
      .. '"read_errors": %d, "write_errors": %d, "timeouts": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "mean_us": %.1f, "sent": %d, "wraps": %d, "kept": %d}\n',
      summary.requests, summary.duration, summary.bytes, errors.status, errors.connect, errors.read,
      errors.write, errors.timeout, latency:percentile(50), latency:percentile(95), latency:percentile(99),
      latency.max, latency.mean, total_sent, total_wraps, total_kept))
end
