//! Any body, with plausible hubspot headers: the hubspot verifier and parser must not panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sla_helpdesk::Vendor;

fuzz_target!(|body: &[u8]| sla_helpdesk::fuzzing::exercise(Vendor::Hubspot, body));
