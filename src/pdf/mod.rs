//! PDF output in the official layout. Built by the forms-and-PDF issue; nothing here yet.
