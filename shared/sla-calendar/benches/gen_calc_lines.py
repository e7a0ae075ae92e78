#!/usr/bin/env python3
"""Writes N `sla calc` request lines (default 1,000,000) to stdout for throughput tests.

Four calendars (Paris office hours with yearly holidays, New York, a 24x7 calendar with an
exclusion, an overnight shift in Sydney), all six operations, starts spread over 2026.
Usage: python3 gen_calc_lines.py 1000000 > /tmp/calc-1m.jsonl
"""
import datetime
import json
import random
import sys

DAY = [["09:00", "12:30"], ["13:30", "18:00"]]
CALENDARS = [
    {"timezone": "Europe/Paris", "hours": {d: DAY for d in ["mon", "tue", "wed", "thu", "fri"]},
     "holidays": [{"yearly": m} for m in ["01-01", "05-01", "07-14", "08-15", "11-11", "12-25"]]},
    {"timezone": "America/New_York", "hours": {d: [["08:00", "20:00"]] for d in ["mon", "tue", "wed", "thu", "fri"]},
     "deadline_rule": "next_opening"},
    {"timezone": "UTC", "hours": "24x7", "exclusions": [["2026-06-01T00:00:00Z", "2026-06-03T00:00:00Z"]]},
    {"timezone": "Australia/Sydney", "hours": {d: [["22:00", "06:00"]] for d in ["sun", "mon", "tue", "wed", "thu"]}},
]
OPS = ["add_business_duration", "subtract_business_duration", "business_duration_between",
       "is_open", "next_open", "next_close"]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rng = random.Random(42)
    texts = [json.dumps(c, separators=(",", ":")) for c in CALENDARS]
    out = sys.stdout
    for _ in range(n):
        start = 1767225600 + rng.randrange(365 * 86400)  # 2026-01-01T00:00:00Z onwards
        op = rng.choice(OPS)
        fields = ['"calendar":' + rng.choice(texts), f'"op":"{op}"',
                  '"start":"%s"' % iso(start)]
        if op == "business_duration_between":
            fields.append('"end":"%s"' % iso(start + rng.randrange(-30 * 86400, 90 * 86400)))
        elif op.endswith("duration"):
            fields.append('"duration_seconds":%d' % rng.randrange(0, 2000 * 3600))
        out.write("{" + ",".join(fields) + "}\n")


def iso(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


if __name__ == "__main__":
    main()
