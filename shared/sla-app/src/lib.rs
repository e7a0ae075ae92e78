//! Application services shared by every entry point: ingest, sweep, configuration.

pub mod config;
