//! `okta-cli simulate`: run a simulated Okta org on loopback, or export generated events.
//!
//! Serving: builds an `okta_stream::sim::SimConfig` from the flags, starts the server, prints the
//! org URL and API token on stderr, and serves until Ctrl-C, then prints the request statistics.
//! Exporting (`--export N`): writes `okta_stream::sim::sample_log(N, seed)` (benign traffic with
//! every attack scenario, JSON lines, deterministic for `--seed`) to stdout and exits.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use okta_stream::sim::{FaultConfig, OAuthClient, RateLimit, SimConfig, SimServer, DEMO_API_TOKEN};

/// Arguments of `okta-cli simulate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write N generated events as JSON lines to stdout and exit (no server).
    #[arg(long, value_name = "N")]
    pub export: Option<usize>,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Events stored before serving starts (the backlog).
    #[arg(long, value_name = "N", default_value_t = 1_000)]
    pub events: usize,
    /// Benign events appended per second while serving.
    #[arg(long, value_name = "EPS", default_value_t = 2.0)]
    pub rate: f64,
    /// Seed of the generator (same seed, same events).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// API token accepted as `Authorization: SSWS <token>` (default: a fixed demo token).
    #[arg(long, env = "OKTA_SIM_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Rate limit of /api/v1/logs as REQUESTS/SECONDS.
    #[arg(long, value_name = "N/WINDOW", default_value = "600/60")]
    pub rate_limit: String,
    /// Register an OAuth service app: CLIENT_ID=PUBLIC_KEY_FILE (PEM, or a JWK in a .json file).
    #[arg(long, value_name = "ID=FILE")]
    pub oauth_client: Vec<String>,
    /// Lifetime of issued OAuth access tokens, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 3_600)]
    pub token_lifetime: u64,
    /// Play every attack scenario once, spread over this many seconds.
    #[arg(long, value_name = "SECONDS")]
    pub scenarios: Option<u64>,
    /// Include every attack scenario in the backlog.
    #[arg(long)]
    pub backlog_scenarios: bool,
    /// Fraction (0-1) of events stored late (published earlier than events already stored).
    #[arg(long, value_name = "FRACTION", default_value_t = 0.0)]
    pub late: f64,
    /// Probability (0-1) of answering 500 E0000009.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    pub fault_5xx: f64,
    /// Probability (0-1) of a slow response.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    pub fault_slow: f64,
    /// Delay of slow responses, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 2_000)]
    pub slow_ms: u64,
    /// Probability (0-1) of closing the connection without a response.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    pub fault_drop: f64,
    /// Probability (0-1) of cutting a response body short.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    pub fault_truncate: f64,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(n) = args.export {
        let log = okta_stream::sim::sample_log(n, args.seed);
        let mut out = std::io::stdout().lock();
        match out.write_all(&log).and_then(|()| out.flush()) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            Err(e) => return Err(e).context("writing events to stdout"),
        }
        return Ok(ExitCode::SUCCESS);
    }
    for (name, p) in [
        ("--fault-5xx", args.fault_5xx),
        ("--fault-slow", args.fault_slow),
        ("--fault-drop", args.fault_drop),
        ("--fault-truncate", args.fault_truncate),
        ("--late", args.late),
    ] {
        if !(0.0..=1.0).contains(&p) {
            anyhow::bail!("{name} must be between 0 and 1, got {p}");
        }
    }
    if !args.rate.is_finite() || args.rate < 0.0 {
        anyhow::bail!("--rate must be a non-negative number of events per second");
    }
    let rate_limit: RateLimit = args.rate_limit.parse()?;
    let token = args
        .token
        .clone()
        .unwrap_or_else(|| DEMO_API_TOKEN.to_string());
    let mut config = SimConfig::new()
        .port(args.port)
        .api_token(token.clone())
        .seed(args.seed)
        .backlog(args.events)
        .backlog_scenarios(args.backlog_scenarios)
        .live_rate(args.rate)
        .rate_limit(rate_limit)
        .token_lifetime(Duration::from_secs(args.token_lifetime))
        .late_events(args.late, Duration::from_secs(120))
        .faults(FaultConfig {
            server_error: args.fault_5xx,
            slow: args.fault_slow,
            slow_delay: Duration::from_millis(args.slow_ms),
            drop: args.fault_drop,
            truncate: args.fault_truncate,
        });
    for spec in &args.oauth_client {
        let (id, file) = spec.split_once('=').with_context(|| {
            format!("--oauth-client {spec:?}: expected CLIENT_ID=PUBLIC_KEY_FILE")
        })?;
        let key = std::fs::read(file).with_context(|| format!("reading public key {file}"))?;
        let client = if file.ends_with(".json") {
            OAuthClient::from_jwk(id, &String::from_utf8_lossy(&key))?
        } else {
            OAuthClient::from_public_key_pem(id, &key)?
        };
        config = config.oauth_client(client);
    }
    if let Some(secs) = args.scenarios {
        config = config.demo_timeline(Duration::from_secs(secs.max(1)));
    }
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        let sim = SimServer::start(config).await?;
        eprintln!("okta-cli simulate: simulated Okta org at {}", sim.url());
        eprintln!("  API token:      {token}");
        eprintln!("  token endpoint: {}", sim.token_url());
        eprintln!("  backlog:        {} events; live rate {} events/s", sim.len(), args.rate);
        eprintln!("  try: curl -H 'Authorization: SSWS {token}' '{}/api/v1/logs?limit=5'", sim.url());
        eprintln!("Press Ctrl-C to stop.");
        tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
        let stats = sim.stats();
        sim.shutdown().await;
        eprintln!(
            "okta-cli simulate: stopped; {} requests ({} to /api/v1/logs, {} answered 429), {} events served, {} stored, {} OAuth tokens issued",
            stats.requests, stats.log_requests, stats.rate_limited, stats.events_served, stats.events_stored, stats.tokens_issued
        );
        anyhow::Ok(ExitCode::SUCCESS)
    })
}
