-- Business seconds of completed cycles per tenant, metric and priority: p50, p90 and p95.
-- A completed cycle is announced by `met` (completed in time) or by `completed` (the
-- final elapsed of a cycle that breached first). Duplicates and retracted events are
-- removed first.
WITH announced AS (
  SELECT detail, row_number() OVER (PARTITION BY detail.event_id ORDER BY "time") AS copy
  FROM sla_events
),
retracted AS (
  SELECT DISTINCT detail.retracts AS event_id
  FROM sla_events
  WHERE detail.type = 'retracted' AND detail.retracts IS NOT NULL
),
completed AS (
  SELECT detail.tenant AS tenant, detail.metric AS metric, detail.priority AS priority,
         detail.elapsed_seconds AS elapsed_seconds
  FROM announced
  WHERE copy = 1
    AND detail.type IN ('met', 'completed')
    AND detail.event_id NOT IN (SELECT event_id FROM retracted)
)
SELECT tenant, metric, priority,
       count(*) AS completed,
       approx_percentile(elapsed_seconds, 0.5) AS p50_seconds,
       approx_percentile(elapsed_seconds, 0.9) AS p90_seconds,
       approx_percentile(elapsed_seconds, 0.95) AS p95_seconds
FROM completed
GROUP BY tenant, metric, priority
ORDER BY tenant, metric, priority
