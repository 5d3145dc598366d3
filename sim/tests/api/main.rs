//! Integration tests: a simulator on a real port, spoken to over HTTP.

mod admin;
mod auth;
mod catalog;
mod common;
mod faults;
mod instances;
mod isolation;
mod keypairs;
mod networks;
mod paging;
mod persistence;
mod scale;
