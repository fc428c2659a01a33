//! Decoder (stub).
