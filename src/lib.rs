//! modelgate: find the AI models a repository depends on, name their licences and the
//! restrictions those carry, judge how open each model is, and check them against policy.
//!
//! The pipeline runs one way, one module per stage:
//! [`discover`] → [`parse`] → [`assemble`] → [`identify`] → [`classify`] → [`evaluate`] →
//! [`report`]. Stages exchange the plain data types of [`model`]; the licence facts live in the
//! [`catalogue`] (data files in `licences/`), the policies in rule packs (`rules/`).

#![warn(missing_docs)]

pub mod app;
pub mod assemble;
pub mod baseline;
pub mod catalogue;
pub mod classify;
pub mod cli;
pub mod config;
pub mod date;
pub mod discover;
pub mod evaluate;
pub mod files;
pub mod hash;
pub mod identify;
pub mod limits;
pub mod model;
pub mod needles;
pub mod parse;
pub mod pin;
pub mod providers;
pub mod recognise;
pub mod report;
pub mod sanitize;
pub mod scope;
pub mod shard;
pub mod stow;
pub mod timings;
pub mod urls;
pub mod vocab;
