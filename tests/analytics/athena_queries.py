"""The Athena named queries (infra/athena/*.sql) give the numbers `sla report` gives.

CI cannot reach Athena, so this runs the same SQL with DuckDB over what the AWS path
would hold for examples/: `sla replay` announces the SLA events, each is wrapped as the
EventBridge envelope Firehose writes, the envelopes are written as gzip JSON lines under
sla-events/tenant=<tenant>/dt=<day>/ (one object delivered twice, as Firehose may do), and
DuckDB reads them with the Glue table's columns, types and partition keys taken from
infra/template.yaml. The only rewrite of the SQL is mechanical and listed in REWRITES.
The queries needing late completions run a second time with `completed` events made from
the report's drill-down for any breached cycle that ended without one (there should be
none: the engine announces `completed` when a breached cycle ends).

    python3 tests/analytics/athena_queries.py [--sla PATH]    # exit 1 on any failure

Needs the `duckdb` and `yaml` Python packages (scripts/test.sh installs duckdb into $SLA_VENV).
"""

import argparse
import csv
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import traceback
import uuid
from pathlib import Path

import duckdb
import yaml

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "examples/policy.yaml"
HISTORY = ROOT / "examples/tickets.jsonl"
TEMPLATE = ROOT / "infra/template.yaml"

# Athena (Trino) function -> DuckDB function. Athena's `approx_percentile(x, p)` estimates
# the percentile (rank error about 1% by default); DuckDB's `quantile_disc(x, p)` is the
# exact nearest-rank percentile (the smallest value with at least p of the values at or
# below it), the definition `sla report` uses, so here percentiles must match exactly.
REWRITES = [(re.compile(r"\bapprox_percentile\("), "quantile_disc(")]

# EventBridge detail-type per SLA event type (shared/sla-events/src/lib.rs, detail_type).
# The queries do not read it; it makes the envelopes look like the delivered ones.
DETAIL_TYPES = {
    "warning": "SLA Warning",
    "breached": "SLA Breached",
    "met": "SLA Met",
    "cancelled": "SLA Cancelled",
    "retracted": "SLA Retracted",
    "completed": "SLA Completed",
}


class CfnLoader(yaml.SafeLoader):
    """YAML loader that keeps CloudFormation intrinsics (`!Ref x`) as plain values."""


CfnLoader.add_multi_constructor(
    "!",
    lambda loader, _tag, node: (
        loader.construct_scalar(node)
        if isinstance(node, yaml.ScalarNode)
        else loader.construct_sequence(node)
        if isinstance(node, yaml.SequenceNode)
        else loader.construct_mapping(node)
    ),
)


def run(*args):
    """stdout of a command that must succeed."""
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} exited {done.returncode}: {done.stderr}")
    return done.stdout


def hive_to_duckdb(hive):
    """A Glue (Hive) column type as a DuckDB type."""
    hive = hive.strip()
    scalars = {"string": "VARCHAR", "int": "INTEGER", "bigint": "BIGINT", "boolean": "BOOLEAN",
               "double": "DOUBLE"}
    if hive in scalars:
        return scalars[hive]
    if hive.startswith("array<") and hive.endswith(">"):
        return hive_to_duckdb(hive[len("array<"):-1]) + "[]"
    if hive.startswith("struct<") and hive.endswith(">"):
        fields = [f.split(":", 1) for f in split_top_level(hive[len("struct<"):-1])]
        return "STRUCT(" + ", ".join(f'"{n}" {hive_to_duckdb(t)}' for n, t in fields) + ")"
    raise ValueError(f"no DuckDB type for Hive type {hive}")


def split_top_level(text):
    """`a:int,b:struct<c:int,d:int>` split at the commas outside angle brackets."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += {"<": 1, ">": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def glue_table():
    """TableInput of the template's AWS::Glue::Table."""
    template = yaml.load(TEMPLATE.read_text(), Loader=CfnLoader)
    tables = [r for r in template["Resources"].values() if r["Type"] == "AWS::Glue::Table"]
    assert len(tables) == 1, f"expected one AWS::Glue::Table, found {len(tables)}"
    return tables[0]["Properties"]["TableInput"]


def replay_events(sla):
    """The SLA events `sla replay` announces for examples/ (JSON objects)."""
    out = run(sla, "replay", "--policy", POLICY, HISTORY, "--format", "json")
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return [e for e in events if "event_id" in e]


def envelope(event):
    """The EventBridge envelope of `event`, as the rule hands it to Firehose."""
    return {
        "version": "0",
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, event["event_id"])),
        "detail-type": DETAIL_TYPES[event["type"]],
        "source": "sla-tracker",
        "account": "123456789012",
        "time": event["at"],
        "region": "eu-west-1",
        "resources": [],
        "detail": event,
    }


def write_delivery(events, root):
    """Gzip JSON-lines objects under sla-events/tenant=../dt=../, as Firehose writes them,
    with the first object delivered a second time."""
    partitions = {}
    for event in events:
        key = (event["tenant"], event["at"][:10])
        partitions.setdefault(key, []).append(json.dumps(envelope(event)))
    for index, ((tenant, day), lines) in enumerate(sorted(partitions.items())):
        directory = root / "sla-events" / f"tenant={tenant}" / f"dt={day}"
        directory.mkdir(parents=True, exist_ok=True)
        copies = 2 if index == 0 else 1
        for copy in range(copies):
            with gzip.open(directory / f"sla-events-{copy}.gz", "wt") as out:
                out.write("\n".join(lines) + "\n")


def create_table(db, root, table):
    """The DuckDB view `sla_events` with the Glue table's columns and partitions."""
    mapping = {k[len("mapping."):]: v
               for k, v in table["StorageDescriptor"]["SerdeInfo"].get("Parameters", {}).items()
               if k.startswith("mapping.")}
    columns = table["StorageDescriptor"]["Columns"]
    json_columns = {mapping.get(c["Name"], c["Name"]): hive_to_duckdb(c["Type"]) for c in columns}
    partitions = {p["Name"]: hive_to_duckdb(p["Type"]) for p in table["PartitionKeys"]}
    select = ", ".join(f'"{mapping.get(c["Name"], c["Name"])}" AS "{c["Name"]}"' for c in columns)
    select += "".join(f', "{name}"' for name in partitions)
    glob = str(root / "sla-events" / "*" / "*" / "*.gz").replace("'", "''")
    db.execute(
        f"CREATE VIEW {table['Name']} AS SELECT {select} FROM read_json('{glob}', "
        f"format = 'newline_delimited', compression = 'gzip', hive_partitioning = true, "
        f"columns = {duckdb_struct_literal(json_columns)}, "
        f"hive_types = {duckdb_struct_literal(partitions)})"
    )


def duckdb_struct_literal(mapping):
    """`{'a': 'VARCHAR', ...}` as DuckDB's struct literal."""
    return "{" + ", ".join(f"'{k}': '{v}'" for k, v in mapping.items()) + "}"


def athena_query(db, name):
    """Rows (dicts) of infra/athena/<name>.sql after REWRITES."""
    sql = (ROOT / "infra/athena" / f"{name}.sql").read_text()
    for pattern, replacement in REWRITES:
        sql = pattern.sub(replacement, sql)
    cursor = db.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def report_rows(sla, *by):
    """`sla report --format json` rows for examples/, keyed by their `--by` values."""
    args = ["--by", ",".join(by)]
    if "period" in by:
        args += ["--period", "day"]
    out = run(sla, "report", "--policy", POLICY, HISTORY, "--format", "json", *args)
    return {tuple(row["key"][d] for d in by): row for row in json.loads(out)["rows"]}


def cycle_key(record):
    """(metric, priority) of a cycle or an SLA event: a row of `--by metric,priority`."""
    return (record["metric"], record["priority"])


def cycle_id(record):
    """Identity of one cycle of one metric of one ticket."""
    return (record["tenant"], record["ticket_id"], record["metric"], int(record["cycle"]))


def report_cycles(sla, workdir):
    """The report's drill-down: one dict per cycle (`sla report --cycles`)."""
    path = workdir / "cycles.csv"
    run(sla, "report", "--policy", POLICY, HISTORY, "--format", "json", "--cycles", path)
    with path.open(newline="") as rows:
        return list(csv.DictReader(rows))


def completed_events(events, cycles):
    """`completed` events made from the report's drill-down for breached cycles that ended
    but have none among the announced events: for each, its breach event with type
    `completed`, `at` the end and `elapsed_seconds` the final business time. The engine
    announces `completed` itself, so this should find nothing to add; the second pass
    checks that the announced ones leave nothing for it."""
    breaches = {cycle_id(e): e for e in events if e["type"] == "breached"}
    done = {cycle_id(e) for e in events if e["type"] == "completed"}
    made = []
    for cycle in cycles:
        breach = breaches.get(cycle_id(cycle))
        if cycle["outcome"] == "breached" and cycle["end"] and breach and cycle_id(cycle) not in done:
            made.append(dict(breach, type="completed", event_id=breach["event_id"] + "-completed",
                             at=cycle["end"], elapsed_seconds=int(cycle["business_seconds"])))
    return made


class Context:
    """Everything the checks share: the report, the events and a loaded DuckDB.

    The SLA events differ from the report's cycles in three known ways, so the rows they
    touch are left out of the comparisons they affect (and the count is printed):
    - an event carries the ticket's attributes when it was announced, the report the
      cycle's last ones (a ticket whose priority changed after a breach moves rows);
    - the breach of a reopened cycle already past its target when it reopens is not
      announced again (it was announced for the earlier cycle);
    - a breached cycle's late completion is not announced until a `completed` event
      carries it (percentiles and time over target need it).
    """

    def __init__(self, sla, workdir, with_completed=False):
        self.with_completed = with_completed
        self.events = replay_events(sla)
        cycles = report_cycles(sla, workdir)
        if with_completed:
            self.events += completed_events(self.events, cycles)
        self.table = glue_table()
        write_delivery(self.events, workdir)
        self.db = duckdb.connect()
        create_table(self.db, workdir, self.table)
        self.report = report_rows(sla, "metric", "priority")
        self.report_by_day = report_rows(sla, "metric", "priority", "period")
        self.schema = json.loads(run(sla, "schema", "sla-event"))
        announced = {(cycle_id(e), e["type"]): e for e in self.events}
        breached = [c for c in cycles if c["outcome"] == "breached"]
        self.unannounced_breaches = [c for c in breached
                                     if (cycle_id(c), "breached") not in announced]
        self.moved = set()
        for cycle in cycles:
            event = announced.get((cycle_id(cycle), cycle["outcome"]))
            if event and cycle_key(event) != cycle_key(cycle):
                self.moved |= {cycle_key(event), cycle_key(cycle)}
        self.counts_differ = self.moved | {cycle_key(c) for c in self.unannounced_breaches}
        late = {cycle_key(c) for c in breached
                if c["end"] and (cycle_id(c), "completed") not in announced}
        self.durations_differ = self.counts_differ | late


def check_glue_columns_hold_every_sla_event_field(ctx):
    detail = next(c for c in ctx.table["StorageDescriptor"]["Columns"] if c["Name"] == "detail")
    struct = detail["Type"].strip()[len("struct<"):-1]
    fields = sorted(f.split(":", 1)[0] for f in split_top_level(struct))
    schema = sorted(ctx.schema["properties"])
    assert fields == schema, f"Glue detail struct {fields} != `sla schema sla-event` {schema}"


def check_every_event_is_read_back_once(ctx):
    (rows,) = ctx.db.execute(
        "SELECT count(*), count(DISTINCT detail.event_id) FROM sla_events").fetchall()
    unique = len({e["event_id"] for e in ctx.events})
    assert rows[1] == unique > 0 and rows[0] > unique, f"{rows}: want {unique} ids, some twice"


def check_only_reopened_cycles_have_unannounced_breaches(ctx):
    for cycle in ctx.unannounced_breaches:
        assert int(cycle["cycle"]) > 1, f"breach of a first cycle not announced: {cycle}"
    print(f"    {len(ctx.unannounced_breaches)} breaches of reopened cycles not announced")


def check_compliance_totals_equal_the_report(ctx):
    rows = athena_query(ctx.db, "compliance")
    assert {r["tenant"] for r in rows} == {e["tenant"] for e in ctx.events}
    totals = {(r["metric"], r["priority"]): r for r in rows if r["day"] is None}
    compared = 0
    for key, want in ctx.report.items():
        if key in ctx.counts_differ or want["met"] + want["breached"] == 0:
            continue
        got = totals[key]
        assert (got["met"], got["breached"]) == (want["met"], want["breached"]), (key, got, want)
        assert float(got["met_percent"]) == want["met_percent"], (key, got, want)
        compared += 1
    assert compared >= 8, f"only {compared} rows compared"
    print(f"    compliance: {compared} of {len(ctx.report)} rows compared")


def check_compliance_per_day_counts_met_cycles_on_the_day_they_ended(ctx):
    rows = athena_query(ctx.db, "compliance")
    got = {(r["metric"], r["priority"], r["day"]): r["met"]
           for r in rows if r["day"] is not None and r["met"] > 0}
    want = {k: r["met"] for k, r in ctx.report_by_day.items() if k[2] != "-" and r["met"] > 0}
    assert got == want, f"met per day: {got} != report {want}"
    days = {r["day"] for r in rows if r["day"] is not None}
    assert len(days) > 1, f"examples span one day only: {days}"


def check_percentiles_equal_the_report(ctx):
    rows = {(r["metric"], r["priority"]): r for r in athena_query(ctx.db, "percentiles")}
    compared = 0
    for key, want in ctx.report.items():
        completed = want["met"] + want["breached"] - want["breached_open"]
        if key in ctx.durations_differ or completed == 0:
            continue
        got = rows[key]
        assert got["completed"] == completed, (key, got, want)
        assert (got["p50_seconds"], got["p90_seconds"], got["p95_seconds"]) == (
            want["median_seconds"], want["p90_seconds"], want["p95_seconds"]), (key, got, want)
        compared += 1
    assert compared >= 3, f"only {compared} rows compared"
    print(f"    percentiles: {compared} of {len(ctx.report)} rows compared")


def check_time_over_target_equals_the_report(ctx):
    rows = {(r["metric"], r["priority"]): r for r in athena_query(ctx.db, "time_over_target")}
    compared = late = 0
    for key, want in ctx.report.items():
        if key in ctx.durations_differ:
            continue
        got = rows.get(key, {})
        mean = got.get("mean_over_target_seconds")
        assert (None if mean is None else float(mean), got.get("max_over_target_seconds")) == (
            want["mean_over_target_seconds"], want["max_over_target_seconds"]), (key, got, want)
        compared += 1
        late += mean is not None
    assert compared >= 3, f"only {compared} rows compared"
    assert late >= 3 or not ctx.with_completed, f"only {late} rows with late completions"
    print(f"    time over target: {compared} of {len(ctx.report)} rows compared, "
          f"{late} with late completions")


def check_a_retracted_event_is_not_counted(ctx):
    met = next(e for e in ctx.events if e["type"] == "met")
    retraction = dict(met, type="retracted", event_id=met["event_id"] + "-retracted",
                      retracts=met["event_id"])
    with tempfile.TemporaryDirectory() as workdir:
        write_delivery(ctx.events + [retraction], Path(workdir))
        db = duckdb.connect()
        create_table(db, Path(workdir), ctx.table)

        def met_total(database):
            return next(r["met"] for r in athena_query(database, "compliance")
                        if r["day"] is None and (r["metric"], r["priority"]) == cycle_key(met))

        assert met_total(db) == met_total(ctx.db) - 1


# Checks of the queries that need late completions, run again with `completed` events.
DURATION_CHECKS = [check_percentiles_equal_the_report, check_time_over_target_equals_the_report]

CHECKS = [
    check_glue_columns_hold_every_sla_event_field,
    check_every_event_is_read_back_once,
    check_only_reopened_cycles_have_unannounced_breaches,
    check_compliance_totals_equal_the_report,
    check_compliance_per_day_counts_met_cycles_on_the_day_they_ended,
    check_a_retracted_event_is_not_counted,
    check_percentiles_equal_the_report,
    check_time_over_target_equals_the_report,
]


def default_sla():
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return str(target / "debug" / "sla")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sla", default=default_sla(), help="the sla binary")
    args = parser.parse_args()
    passed = failed = 0
    with tempfile.TemporaryDirectory() as plain, tempfile.TemporaryDirectory() as completed:
        try:
            runs = [("", Context(args.sla, Path(plain)), CHECKS),
                    (" [with completed events]", Context(args.sla, Path(completed), True),
                     DURATION_CHECKS)]
        except Exception:  # noqa: BLE001 - a failed setup is one reported failure
            print(f"FAILED setup\n{traceback.format_exc()}\nathena queries: 0 passed, 1 failed")
            return 1
        for suffix, ctx, checks in runs:
            for check in checks:
                try:
                    check(ctx)
                    passed += 1
                    print(f"PASSED {check.__name__}{suffix}")
                except Exception:  # noqa: BLE001 - every failure is reported, then counted
                    failed += 1
                    print(f"FAILED {check.__name__}{suffix}\n{traceback.format_exc()}")
    print(f"\nathena queries: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
