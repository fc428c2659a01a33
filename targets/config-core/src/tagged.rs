//! Tagged JSON (stub).
