//! The provincial server `anchi-hub`. Built by the hub issue; nothing here yet.
