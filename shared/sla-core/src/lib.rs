//! The pure SLA domain: canonical ticket events, policies, SLA clocks computed as a
//! fold over a ticket's ordered, de-duplicated events, and the SLA events we announce.
//!
//! Nothing here reads the clock, the environment or the network: `now` is an argument.

#![warn(missing_docs)]
// Input-derived values never unwrap or panic: bad input is an error, never a crash.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod announce;
pub mod attributes;
pub mod clock;
pub mod duration;
pub mod event;
pub mod explain;
pub mod policy;
pub mod replay;
pub mod schema;
pub mod sla_event;
pub mod snapshot;
pub mod ticket;

pub use attributes::TicketAttributes;
pub use chrono_tz;
pub use clock::state::{
    ClockPhase, ClockState, ClockStep, MatchedPolicy, PolicyVersion, TicketState,
};
pub use event::{Author, Comment, EventKind, Priority, Status, TicketEvent, TicketSnapshot};
pub use policy::{PolicyError, PolicySet};
pub use sla_calendar as calendar;
pub use sla_event::{Metric, SlaEvent, SlaEventType, TicketContext};
pub use snapshot::SnapshotLimits;
pub use ticket::{Advance, CachedTicket, Ingested, TicketSla};
