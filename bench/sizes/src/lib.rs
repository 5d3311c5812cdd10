//! Nothing here: the probes are the examples, one cdylib per Rust face.
