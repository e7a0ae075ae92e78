//! Any text as a tenants file: parsing must return a value or an error, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|yaml: &str| {
    let _ = sla_helpdesk::TenantsFile::from_yaml("fuzz.yaml", yaml);
});
