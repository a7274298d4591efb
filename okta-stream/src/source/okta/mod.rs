//! The Okta System Log API poller.
