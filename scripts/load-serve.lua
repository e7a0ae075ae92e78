-- wrk script for scripts/load-serve.sh: every request is a new canonical webhook for
-- `sla serve`, signed as the canonical vendor requires (X-Sla-Timestamp, and
-- X-Sla-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>).
-- Environment: SLA_LOAD_SECRET (required), SLA_LOAD_TENANT (default acme), SLA_LOAD_RUN.

local bit = require("bit")
local band, bor, bxor, bnot = bit.band, bit.bor, bit.bxor, bit.bnot
local rshift, lshift, ror, tobit = bit.rshift, bit.lshift, bit.ror, bit.tobit

local K = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}

-- SHA-256 (FIPS 180-4) of a byte string; returns the 32-byte digest.
local function sha256(message)
  local length = #message
  message = message .. "\128" .. string.rep("\0", (55 - length) % 64)
    .. "\0\0\0\0" .. string.char(
      band(rshift(length * 8, 24), 255), band(rshift(length * 8, 16), 255),
      band(rshift(length * 8, 8), 255), band(length * 8, 255))
  local h = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 }
  local w = {}
  for chunk = 1, #message, 64 do
    for i = 0, 15 do
      local b1, b2, b3, b4 = message:byte(chunk + i * 4, chunk + i * 4 + 3)
      w[i] = bor(lshift(b1, 24), lshift(b2, 16), lshift(b3, 8), b4)
    end
    for i = 16, 63 do
      local x, y = w[i - 15], w[i - 2]
      local s0 = bxor(ror(x, 7), ror(x, 18), rshift(x, 3))
      local s1 = bxor(ror(y, 17), ror(y, 19), rshift(y, 10))
      w[i] = tobit(w[i - 16] + s0 + w[i - 7] + s1)
    end
    local a, b, c, d, e, f, g, hh = h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]
    for i = 0, 63 do
      local s1 = bxor(ror(e, 6), ror(e, 11), ror(e, 25))
      local ch = bxor(band(e, f), band(bnot(e), g))
      local t1 = tobit(hh + s1 + ch + K[i + 1] + w[i])
      local s0 = bxor(ror(a, 2), ror(a, 13), ror(a, 22))
      local maj = bxor(band(a, b), band(a, c), band(b, c))
      local t2 = tobit(s0 + maj)
      hh, g, f, e, d, c, b, a = g, f, e, tobit(d + t1), c, b, a, tobit(t1 + t2)
    end
    h[1], h[2], h[3], h[4] = tobit(h[1] + a), tobit(h[2] + b), tobit(h[3] + c), tobit(h[4] + d)
    h[5], h[6], h[7], h[8] = tobit(h[5] + e), tobit(h[6] + f), tobit(h[7] + g), tobit(h[8] + hh)
  end
  local out = {}
  for i = 1, 8 do
    out[i] = string.char(band(rshift(h[i], 24), 255), band(rshift(h[i], 16), 255),
      band(rshift(h[i], 8), 255), band(h[i], 255))
  end
  return table.concat(out)
end

local function to_hex(bytes)
  return (bytes:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

-- HMAC-SHA256 (RFC 2104) with pads computed once per key.
local function hmac_signer(key)
  if #key > 64 then key = sha256(key) end
  key = key .. string.rep("\0", 64 - #key)
  local inner = key:gsub(".", function(c) return string.char(bxor(c:byte(), 0x36)) end)
  local outer = key:gsub(".", function(c) return string.char(bxor(c:byte(), 0x5c)) end)
  return function(message)
    return to_hex(sha256(outer .. sha256(inner .. message)))
  end
end

local secret = os.getenv("SLA_LOAD_SECRET") or error("set SLA_LOAD_SECRET")
local tenant = os.getenv("SLA_LOAD_TENANT") or "acme"
local run = os.getenv("SLA_LOAD_RUN") or tostring(os.time())
local sign = hmac_signer(secret)

-- Self-check against RFC 4231 test case 2 before sending anything.
assert(hmac_signer("Jefe")("what do ya want for nothing?")
  == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", "HMAC-SHA256 self-check failed")

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

-- Each wrk thread cycles over TICKETS tickets: the first round creates them, later rounds
-- update them (open, agent reply, pending, ...), so a ticket's events arrive seconds apart
-- as from a helpdesk, and its history grows through the run.
local TICKETS = 2000
local created = '"kind":"created","ticket":{"status":"new","priority":"normal"}'
local updates = {
  '"kind":"updated","ticket":{"status":"open"}',
  '"kind":"comment","ticket":{"status":"open"},"comment":{"author":"agent","public":true}',
  '"kind":"updated","ticket":{"status":"pending"}',
  '"kind":"comment","ticket":{"status":"open"},"comment":{"author":"customer","public":true}',
}
local sent = 0

function request()
  local index = sent % TICKETS
  local round = math.floor(sent / TICKETS)
  sent = sent + 1
  local ticket = string.format("%s-%d-%d", run, thread_id or 0, index)
  local step = round == 0 and created or updates[(round - 1) % #updates + 1]
  local body = string.format('{"tenant":"%s","ticket_id":"%s","event_id":"%s-%d","at":"%s",%s}',
    tenant, ticket, ticket, round, os.date("!%Y-%m-%dT%H:%M:%SZ"), step)
  local timestamp = tostring(os.time())
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["X-Sla-Timestamp"] = timestamp,
    ["X-Sla-Signature"] = "v1=" .. sign(timestamp .. "." .. body),
  }, body)
end
