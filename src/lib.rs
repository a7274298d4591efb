//! Workspace-level host package.
