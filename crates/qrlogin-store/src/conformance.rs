//! Placeholder: the conformance suite (being written).
