//! Scanner (stub).
