//! Placeholder: the in-memory backend (being written).
