//! Any body, with plausible front headers: the front verifier and parser must not panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sla_helpdesk::Vendor;

fuzz_target!(|body: &[u8]| sla_helpdesk::fuzzing::exercise(Vendor::Front, body));
