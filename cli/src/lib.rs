//! # imedit-cli
//!
//! The tools around the sans-IO [`imedit`] core, kept out of it (their dependencies, an HTTP
//! server and client and an argument parser, never reach the core, its wasm build or its wheel):
//!
//! - [`emulator`]: a local emulator of Volcengine RTC `ModifyMessage` and Easemob message rewrite,
//!   usable from any language's tests (`imedit emulator --port 0`) and from Rust tests
//!   ([`emulator::Emulator::start`]);
//! - [`client`]: thin blocking clients (ureq) over the core's builders, parsers, token cache,
//!   retry planner and rate limiter;
//! - the `imedit` binary: `imedit emulator`, `imedit volc modify|sign`, `imedit easemob
//!   token|rewrite` and `imedit demo` (see `cli/README.md`).
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![warn(missing_docs, missing_debug_implementations)]

pub mod cli;
pub mod client;
mod demo;
pub mod emulator;
pub mod ojson;
pub mod print;

pub use cli::run;
