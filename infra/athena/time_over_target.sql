-- Time over target of breached cycles that completed late, per tenant, metric and
-- priority: business seconds from the deadline to completion (final elapsed minus
-- target), mean and max. Late completions are the `completed` events that follow a
-- `breached` one. Duplicates and retracted events are removed first.
WITH announced AS (
  SELECT detail, row_number() OVER (PARTITION BY detail.event_id ORDER BY "time") AS copy
  FROM sla_events
),
retracted AS (
  SELECT DISTINCT detail.retracts AS event_id
  FROM sla_events
  WHERE detail.type = 'retracted' AND detail.retracts IS NOT NULL
),
late AS (
  SELECT detail.tenant AS tenant, detail.metric AS metric, detail.priority AS priority,
         detail.elapsed_seconds - detail.target_seconds AS over_seconds
  FROM announced
  WHERE copy = 1
    AND detail.type = 'completed'
    AND detail.elapsed_seconds > detail.target_seconds
    AND detail.event_id NOT IN (SELECT event_id FROM retracted)
)
SELECT tenant, metric, priority,
       count(*) AS completed_late,
       round(avg(over_seconds), 1) AS mean_over_target_seconds,
       max(over_seconds) AS max_over_target_seconds
FROM late
GROUP BY tenant, metric, priority
ORDER BY tenant, metric, priority
