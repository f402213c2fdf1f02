//! Every integration test of the server, in one binary: one link instead of one per file.

#[macro_use]
mod common;
mod support;

mod access_gate;
mod access_roles;
mod away_export_formula;
mod boxoffice_api;
mod boxoffice_import;
mod cli;
mod cross_site_writes;
mod file_modes;
mod gate_codes;
mod gate_scan;
mod interface_config;
mod interface_crash;
mod interface_faults;
mod interface_fidelity;
mod interface_injection;
mod interface_push_feedback;
mod interface_reconcile;
mod interface_upload_files;
mod interface_wallet_url;
mod keys_and_connections;
mod manual_activation;
mod openapi;
mod organizer_isolation;
mod scale_out;
mod sign_in_link;
mod sign_in_throttle;
mod slow_clients;
mod spectator_transfers;
mod spectator_wallet;
mod wallet_browser;
mod wallet_csv;
mod wallet_organizer_api;
mod wallet_page_headers;
mod wallet_pages;
mod wallet_privileges;
