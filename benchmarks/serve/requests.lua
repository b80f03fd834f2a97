-- wrk script: each request is the next pre-signed line of the file make_requests.py wrote, so
-- every request has a webhook-id of its own. Arguments (after --): FILE THREADS.
local counter = 0

function setup(thread)
    thread:set("offset", counter)
    counter = counter + 1
end

function init(args)
    lines = {}
    for line in io.lines(args[1]) do
        local id, ts, sig, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
        lines[#lines + 1] = {id = id, ts = ts, sig = sig, body = body}
    end
    step = tonumber(args[2]) or 1
    next_line = (offset or 0) + 1
end

request = function()
    local r = lines[next_line]
    next_line = next_line + step
    if next_line > #lines then next_line = next_line - #lines end
    return wrk.format("POST", nil, {
        ["webhook-id"] = r.id,
        ["webhook-timestamp"] = r.ts,
        ["webhook-signature"] = r.sig,
        ["content-type"] = "application/json",
    }, r.body)
end
