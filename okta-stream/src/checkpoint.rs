//! Where a source position is stored: a file written atomically.
