//! JSON-lines output to stdout (or any writer).
