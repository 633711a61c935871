//! Upload client for the provincial server. Built by the hub issue; nothing here yet.
