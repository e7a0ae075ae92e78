-- Compliance per tenant, metric, priority and UTC day of the outcome, plus one total row
-- per tenant, metric and priority (day NULL): met, breached, met % = met / (met + breached).
-- A cycle is met on the day it completed in time and breached on the day it breached.
-- Firehose may deliver an event twice (same event_id) and a retraction withdraws an
-- earlier event, so both are removed first.
WITH announced AS (
  SELECT detail, row_number() OVER (PARTITION BY detail.event_id ORDER BY "time") AS copy
  FROM sla_events
),
retracted AS (
  SELECT DISTINCT detail.retracts AS event_id
  FROM sla_events
  WHERE detail.type = 'retracted' AND detail.retracts IS NOT NULL
),
outcomes AS (
  SELECT detail.tenant AS tenant, detail.metric AS metric, detail.priority AS priority,
         substr(detail."at", 1, 10) AS day, detail.type AS type
  FROM announced
  WHERE copy = 1
    AND detail.type IN ('met', 'breached')
    AND detail.event_id NOT IN (SELECT event_id FROM retracted)
)
SELECT tenant, metric, priority, day,
       count_if(type = 'met') AS met,
       count_if(type = 'breached') AS breached,
       round(100.0 * count_if(type = 'met') / count(*), 1) AS met_percent
FROM outcomes
GROUP BY GROUPING SETS ((tenant, metric, priority, day), (tenant, metric, priority))
ORDER BY tenant, metric, priority, day NULLS FIRST
