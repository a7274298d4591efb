//! Replay of exported System Log files and stdin.
