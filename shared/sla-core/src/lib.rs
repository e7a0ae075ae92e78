//! The pure SLA domain: canonical ticket events, policies, SLA clocks computed as a
//! fold over a ticket's ordered, de-duplicated events, and the SLA events we announce.
//!
//! Nothing here reads the clock, the environment or the network: `now` is an argument.

pub mod event;
pub mod policy;
pub mod sla_event;
pub mod ticket;

pub use event::{Author, Comment, EventKind, Priority, Status, TicketEvent, TicketSnapshot};
pub use sla_event::{Metric, SlaEvent, SlaEventType};
pub use sla_calendar as calendar;
pub use policy::{PolicyError, PolicySet};
pub use ticket::{Advance, Ingested, TicketSla};
