//! Signed case packages (BagIt + minisign). Built by the signed-packages issue; nothing here yet.
