//! Helpdesk webhook adapters (being implemented).
