//! The crate's error type.

/// Everything that can go wrong in okta-stream.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An event could not be decoded.
    #[error(transparent)]
    Decode(#[from] crate::event::DecodeError),
    /// A field name could not be resolved.
    #[error(transparent)]
    Field(#[from] crate::fields::FieldError),
    /// A fatal error of the Okta System Log source.
    #[cfg(feature = "okta")]
    #[error(transparent)]
    Okta(#[from] crate::source::okta::SourceError),
    /// A checkpoint could not be read or written.
    #[cfg(feature = "okta")]
    #[error(transparent)]
    Checkpoint(#[from] crate::checkpoint::CheckpointError),
    /// The simulated org could not be set up.
    #[cfg(feature = "sim")]
    #[error(transparent)]
    Sim(#[from] crate::sim::SimError),
    /// A source failed (a bad record, or an input that cannot be opened or read).
    #[error(transparent)]
    Source(#[from] crate::source::file::SourceError),
    /// An I/O error, with what was being done.
    #[error("{context}: {source}")]
    Io {
        /// What was being done (e.g. "reading events.jsonl").
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// A `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
