//! The simulated Okta org: generator, scenarios and a loopback HTTP server.
