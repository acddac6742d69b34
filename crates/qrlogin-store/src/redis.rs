//! Placeholder: the Redis backend (being written).
